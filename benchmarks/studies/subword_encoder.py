"""Study: can the VAE learn spelling's analogy offsets next to the contexts?

FastText's lead on Google's analogy questions is syntactic and comes from
character n-grams (``results/word_offsets.md``); adding WordEmbedder's
spelled-out vectors after training trades WordSim353 for analogies
(``results/subword_analogies.md``).  Here the spelling goes into the model:
each term's row is its PPMI context row next to its character n-grams
(``char_wb`` 3-6 of the term, the 5,000 n-grams most terms share, binary),
the n-grams scaled so that they hold ``weight`` times the row's PPMI mass.
The VAE (WordEmbedder's defaults) encodes and reconstructs both, so its
latent space has to explain contexts and spelling together; the word vectors
are the posterior means and their sum with the decoder weights of the
context columns.

Run from the repository root (about five minutes)::

    python benchmarks/studies/subword_encoder.py
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import bench_word_vectors as bench  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import word_offsets as study  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402

from skvae._word_embedder import unit_rows  # noqa: E402
from skvae.text import PPMITransformer, WordContexts  # noqa: E402

WEIGHTS = (0.1, 0.3)
N_NGRAMS = 5000


def spelling_rows(terms, ppmi_mass: np.ndarray, weight: float) -> sp.csr_matrix:
    """Binary n-gram rows of the terms, each scaled to ``weight`` x its PPMI mass."""
    ngrams = CountVectorizer(
        analyzer="char_wb", ngram_range=(3, 6), binary=True, max_features=N_NGRAMS
    ).fit_transform(terms)
    per_row = np.maximum(np.asarray(ngrams.sum(axis=1)).ravel(), 1)
    scale = weight * ppmi_mass / per_row
    return sp.csr_matrix(sp.diags(scale) @ ngrams.astype(np.float64))


def main() -> None:
    corpus = bench.load_corpus()
    sets = {**bench.load_similarity_sets(), **bench.load_extra_similarity_sets()}
    contexts = WordContexts(
        bench.WINDOW, vocabulary=corpus.vocabulary, random_state=bench.SEED
    )
    rows = PPMITransformer().fit_transform(contexts.fit_transform(corpus.docs))
    terms = contexts.get_feature_names_out()
    vocabulary = {term: i for i, term in enumerate(terms)}
    mass = np.asarray(rows.sum(axis=1)).ravel()
    n_contexts = rows.shape[1]
    lines = [
        "| vectors | "
        + " | ".join(f"{s} rho" for s in study.SETS)
        + " | analogies | semantic | syntactic |",
        "|---|" + "---:|" * (len(study.SETS) + 3),
    ]
    for weight in WEIGHTS:
        X = sp.hstack([rows, spelling_rows(terms, mass, weight)], format="csr")
        vae, seconds = study.fit_vae(X, {})
        print(f"weight {weight}: {vae.n_iter_} epochs, VAE fit {seconds:.1f} s")
        posterior = vae.transform(X)
        decoder = np.ascontiguousarray(vae.components_[:, :n_contexts].T)
        summed = unit_rows(posterior) + unit_rows(decoder)
        for view, vectors in (("posterior", posterior), ("sum", summed)):
            name = f"spelling weight {weight}: {view}"
            lines.append(study.row(name, vocabulary, vectors, sets))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
