"""Streaming benchmark: partial_fit on chunks against fit, on 20 Newsgroups.

In one run, on the 20 Newsgroups setup of the text benchmark
(``CountVectorizer(stop_words="english", max_df=0.5, min_df=5,
max_features=2000)``, ``n_components=50``, default settings otherwise):

- ``fit``: ``VAEEmbedder(random_state=0).fit(X_train)``;
- ``partial_fit``: a fresh ``VAEEmbedder(random_state=0)`` fed the training
  set as ``--n-chunks`` row chunks (as a stream would deliver them), for as
  many passes as ``fit`` ran epochs.

Both are scored on the test set: accuracy of StandardScaler +
LogisticRegression on the embeddings, perplexity and mean ELBO.

Run from the repository root::

    python benchmarks/bench_streaming.py --output benchmarks/results/streaming.md
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_text import machine_info  # noqa: E402
from metrics import classification_accuracy  # noqa: E402

from skvae import VAEEmbedder  # noqa: E402
from skvae.datasets import load_20newsgroups  # noqa: E402


def stream(vae: VAEEmbedder, X, n_chunks: int, n_passes: int) -> VAEEmbedder:
    chunks = np.array_split(np.arange(X.shape[0]), n_chunks)
    for _ in range(n_passes):
        for rows in chunks:
            vae.partial_fit(X[rows])
    return vae


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-chunks", type=int, default=10)
    parser.add_argument("--output", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    info = machine_info()
    print("\n".join(info))

    train, test = load_20newsgroups("train"), load_20newsgroups("test")
    vectorizer = CountVectorizer(
        stop_words="english", max_df=0.5, min_df=5, max_features=2000
    )
    X_train = vectorizer.fit_transform(train.data)
    X_test = vectorizer.transform(test.data)

    start = time.perf_counter()
    fitted = VAEEmbedder(50, random_state=0).fit(X_train)
    fit_seconds = time.perf_counter() - start
    print(f"fit: {fitted.n_iter_} epochs, {fit_seconds:.0f} s", flush=True)
    start = time.perf_counter()
    streamed = stream(
        VAEEmbedder(50, random_state=0), X_train, args.n_chunks, fitted.n_iter_
    )
    stream_seconds = time.perf_counter() - start

    rows = [
        "| training | passes | seconds | accuracy | perplexity | test ELBO |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, vae, seconds, passes in (
        ("fit", fitted, fit_seconds, fitted.n_iter_),
        (
            f"partial_fit, {args.n_chunks} chunks",
            streamed,
            stream_seconds,
            fitted.n_iter_,
        ),
    ):
        accuracy = classification_accuracy(
            vae.transform(X_train), train.target, vae.transform(X_test), test.target
        )
        rows.append(
            f"| {label} | {passes} | {seconds:.0f} | {accuracy:.3f} "
            f"| {vae.perplexity(X_test):.0f} | {vae.score(X_test):.1f} |"
        )
    table = "\n".join(rows)
    print(table)
    if args.output is not None:
        header = "\n".join(f"- {line}" for line in info)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(
            f"# Streaming benchmark\n\n{header}\n\n{table}\n", encoding="utf-8"
        )
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
