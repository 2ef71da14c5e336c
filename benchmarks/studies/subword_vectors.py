"""Study: how to spell out vectors of unseen words from their character n-grams.

Two estimators of a word's vector from its hashed ``char_wb`` n-grams (3-6,
2**20 buckets), fitted on 90% of a vocabulary and scored on the held-out 10%
by the cosine between the predicted and the true vector (both centred on the
mean vector, so that the common direction of all vectors does not count):

- ``ridge``: scikit-learn's ``Ridge(alpha=1)`` from the n-gram counts to the
  vectors;
- ``average``: an n-gram's vector is the mean of the vectors of the terms
  that hold it, a word's the mean of its n-grams' (what
  ``skvae.text.WordEmbedder(subwords=...)`` does).

The vectors are PPMI-SVD vectors of 20 Newsgroups' training documents
(window 5, the word-vector benchmark's vocabulary), quick to fit.

Run from the repository root (under a minute)::

    python benchmarks/studies/subword_vectors.py
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.linear_model import Ridge

from skvae.datasets import load_20newsgroups
from skvae.text import PPMITransformer, WordContexts


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)


def main() -> None:
    docs = load_20newsgroups("train").data
    vocabulary = sorted(CountVectorizer(min_df=5, max_df=0.5).fit(docs).vocabulary_)
    contexts = WordContexts(5, vocabulary=vocabulary, random_state=0)
    rows = PPMITransformer().fit_transform(contexts.fit_transform(docs))
    vectors = unit(TruncatedSVD(100, random_state=0).fit_transform(rows))
    vectors = unit(vectors - vectors.mean(axis=0))
    held_out = np.random.RandomState(0).rand(len(vocabulary)) < 0.1
    hasher = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 6),
        n_features=2**20,
        alternate_sign=False,
        lowercase=False,
    )
    ngrams = hasher.transform(vocabulary)
    train, test = ngrams[~held_out], ngrams[held_out]
    truth = vectors[held_out]

    start = time.perf_counter()
    ridge = unit(Ridge(alpha=1.0).fit(train, vectors[~held_out]).predict(test))
    ridge_seconds = time.perf_counter() - start

    start = time.perf_counter()
    holds = (train > 0).astype(np.float64)
    n_terms = np.maximum(np.asarray(holds.sum(axis=0)).ravel(), 1)
    ngram_vectors = sp.diags(1.0 / n_terms) @ (holds.T @ vectors[~held_out])
    average = unit((test > 0).astype(np.float64) @ ngram_vectors)
    average_seconds = time.perf_counter() - start

    print(f"{len(vocabulary)} terms, {held_out.sum()} held out")
    print("| estimator | centred cosine to the true vector | seconds |")
    print("|---|---:|---:|")
    for name, predicted, seconds in (
        ("ridge", ridge, ridge_seconds),
        ("average", average, average_seconds),
    ):
        cosine = np.mean(np.sum(predicted * truth, axis=1))
        print(f"| {name} | {cosine:.3f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
