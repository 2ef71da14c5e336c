"""Study: can the VAE learn spelling's analogy offsets next to the contexts?

FastText's lead on Google's analogy questions is syntactic and comes from
character n-grams (``results/word_offsets.md``); adding WordEmbedder's
spelled-out vectors after training trades WordSim353 for analogies
(``results/subword_analogies.md``).  Here the spelling goes into the model:
each term's row is its PPMI context row next to its character n-grams
(``char_wb`` 3-6 of the term, the 5,000 n-grams most terms share, binary),
the n-grams scaled so that they hold ``weight`` times the row's PPMI mass:
``WordEmbedder(spelling=weight)``.  The VAE encodes and reconstructs both,
so its latent space has to explain contexts and spelling together; the word
vectors are the posterior means and their sum with the decoder weights of
the context columns (the default ``vectors_``).

Run from the repository root (about five minutes)::

    python benchmarks/studies/subword_encoder.py
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import bench_word_vectors as bench  # noqa: E402
import word_offsets as study  # noqa: E402

from skvae.text import WordContexts, WordEmbedder  # noqa: E402

WEIGHTS = (0.1, 0.3)


def main() -> None:
    corpus = bench.load_corpus()
    sets = {**bench.load_similarity_sets(), **bench.load_extra_similarity_sets()}
    lines = [
        "| vectors | "
        + " | ".join(f"{s} rho" for s in study.SETS)
        + " | analogies | semantic | syntactic |",
        "|---|" + "---:|" * (len(study.SETS) + 3),
    ]
    for weight in WEIGHTS:
        contexts = WordContexts(
            bench.WINDOW, vocabulary=corpus.vocabulary, random_state=bench.SEED
        )
        words = WordEmbedder(
            study.N_COMPONENTS,
            contexts=contexts,
            spelling=weight,
            subwords=None,
            random_state=bench.SEED,
        )
        start = time.perf_counter()
        words.fit(corpus.docs)
        seconds = time.perf_counter() - start
        print(f"weight {weight}: {words.n_iter_} epochs, fit {seconds:.1f} s")
        posterior = bench.posterior_means(words, corpus.docs)
        vocabulary = {term: i for i, term in enumerate(words.terms_)}
        for view, vectors in (("posterior", posterior), ("sum", words.vectors_)):
            name = f"spelling weight {weight}: {view}"
            lines.append(study.row(name, vocabulary, vectors, sets))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
