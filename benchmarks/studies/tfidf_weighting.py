"""Study: what the idf weighting does to the VAE's document embeddings.

The VAE reads TF-IDF as soft counts (each stored value divided by the matrix's
median stored value), so the idf weighs every term in the likelihood: frequent
terms count as a fraction of an occurrence, rare ones as several. This study
fits ``VAEEmbedder()`` (the suite's settings) on one corpus after three
weightings of the same vocabulary and measures the suite's three uses:

- ``tfidf``: the suite's ``TfidfVectorizer(sublinear_tf=True, min_df=5,
  stop_words="english")``;
- ``tf``: the same without idf (``use_idf=False``: sublinear term frequencies,
  l2-normalised rows);
- ``tfidf / column median``: the suite's TF-IDF with each column divided by its
  median stored value in the training matrix, which undoes the idf and keeps
  the rows' normalisation (each term's typical entry weighs one occurrence).

Run from the repository root::

    python benchmarks/studies/tfidf_weighting.py --corpus health-tweets \\
        --output benchmarks/studies/results/tfidf_weighting_health-tweets.md
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import harness  # noqa: E402

from skvae.datasets import make_vectorizer  # noqa: E402


def column_medians(X) -> np.ndarray:
    """Each column's median stored value (1 for a column with none)."""
    X = sp.csc_matrix(X)
    medians = np.ones(X.shape[1])
    for j in range(X.shape[1]):
        values = X.data[X.indptr[j] : X.indptr[j + 1]]
        if values.size:
            medians[j] = np.median(values)
    return medians


def weightings(corpus: harness.Corpus):
    """(name, train matrix, test matrix) for each weighting."""
    X_train, X_test = corpus.vectorize(make_vectorizer("tfidf"))
    yield "tfidf", X_train, X_test
    tf = make_vectorizer("tfidf").set_params(use_idf=False)
    yield "tf", *corpus.vectorize(tf)
    scale = sp.diags(1.0 / column_medians(X_train))
    yield "tfidf / column median", (X_train @ scale).tocsr(), (X_test @ scale).tocsr()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_arguments(parser, corpus=True)
    args = parser.parse_args(argv)
    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    harness.warm_up_torch()
    rows = []
    for name, X_train, X_test in weightings(corpus):
        vae = harness.make_vae(50, **args.vae_params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vae.fit(X_train)
        seconds = time.perf_counter() - start
        uses = harness.three_uses(vae, X_train, X_test, corpus)
        rows.append([name, *uses, vae.n_iter_, f"{seconds:.1f}"])
        print(*rows[-1], flush=True)
    table = harness.markdown_table(
        ["weighting", "classification", "10-NN", "NMI", "epochs", "fit s"], rows
    )
    lines = [*harness.start_run(), corpus.describe()]
    harness.write_markdown(args.output, ["\n\n".join(lines), table])


if __name__ == "__main__":
    main()
