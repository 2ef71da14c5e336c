"""Study: do spelled-out n-gram vectors carry the analogies FastText solves?

FastText solves several times more of Google's analogy questions than
skvae's WordEmbedder on 20 Newsgroups (``benchmarks/results/word_vectors.md``),
most of them syntactic (plurals, tenses, comparatives), which a word's
spelling carries. This fits ``WordEmbedder()`` once, as the word-vector
benchmark does, and scores word vectors that add the unit vector its
subword model spells out for the term itself (the mean of its n-grams'
vectors, :class:`skvae._word_embedder.SubwordVectors`), weighted by
``weight``, to the unit ``vectors_`` row: fastText's vector of a known word
also sums its own and its n-grams' vectors. Scored: Google's analogies
(3CosAdd) and WordSim353 / SimLex-999 (Spearman rho on covered pairs).

Run from the repository root (about two minutes)::

    python benchmarks/studies/subword_analogies.py
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import bench_word_vectors as bench  # noqa: E402
import numpy as np  # noqa: E402

from skvae._word_embedder import unit_rows  # noqa: E402
from skvae.text import WordContexts, WordEmbedder  # noqa: E402

WEIGHTS = (0.0, 0.5, 1.0, 2.0)


def main() -> None:
    corpus = bench.load_corpus()
    sets = bench.load_similarity_sets()
    contexts = WordContexts(5, vocabulary=corpus.vocabulary, random_state=0)
    start = time.perf_counter()
    words = WordEmbedder(contexts=contexts, random_state=0).fit(corpus.docs)
    print(f"WordEmbedder fit {time.perf_counter() - start:.1f} s")
    rows = np.array([corpus.vocabulary[t] for t in words.terms_])
    own = unit_rows(words.vectors_)
    spelled = unit_rows(words.subwords_.predict(words.terms_, words.vectors_))
    models = []
    for weight in WEIGHTS:
        vectors = np.empty_like(own)
        vectors[rows] = own + weight * spelled
        models.append(
            bench.WordVectors(
                f"vectors_ + {weight} x spelled", corpus.vocabulary, vectors, 0.0
            )
        )
    bench.evaluate(models, sets)
    bench.evaluate_analogies(models)
    print("| vectors | Google analogies (n) | WS353 rho | SimLex rho |")
    print("|---|---:|---:|---:|")
    for model in models:
        accuracy, n = model.analogy
        ws353, simlex = (model.scores[name]["rho"] for name in ("WS353", "SimLex"))
        print(f"| {model.name} | {accuracy:.3f} ({n}) | {ws353:.3f} | {simlex:.3f} |")


if __name__ == "__main__":
    main()
