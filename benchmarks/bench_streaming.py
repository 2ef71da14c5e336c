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

    # quick smoke test on a slice
    python benchmarks/bench_streaming.py --n-docs 1000 --vae-params '{"max_iter": 2}'
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import harness
import numpy as np

from skvae import VAEEmbedder

N_COMPONENTS = 50


def stream(vae: VAEEmbedder, X, n_chunks: int, n_passes: int) -> VAEEmbedder:
    """Feed X to ``vae.partial_fit`` as ``n_chunks`` row chunks, ``n_passes`` times."""
    chunks = np.array_split(np.arange(X.shape[0]), n_chunks)
    for _ in range(n_passes):
        for rows in chunks:
            vae.partial_fit(X[rows])
    return vae


def run(args: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the table; the report for ``--output``."""
    info = harness.start_run()

    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer("counts-2000")
    X_train, X_test = corpus.vectorize(vectorizer)
    data = (X_train, corpus.y_train, X_test, corpus.y_test)

    def make_vae():
        return harness.make_vae(N_COMPONENTS, **args.vae_params)

    fitted = harness.run_model("fit", make_vae, *data)
    if fitted.error is not None:
        raise SystemExit(f"fit failed: {fitted.error}")
    n_passes = fitted.n_iter
    print(f"fit: {n_passes} epochs, {fitted.fit_seconds:.0f} s", flush=True)
    streamed = harness.run_model(
        f"partial_fit, {args.n_chunks} chunks",
        make_vae,
        *data,
        fit=lambda vae, X: stream(vae, X, args.n_chunks, n_passes),
    )
    if streamed.error is not None:
        raise SystemExit(f"partial_fit failed: {streamed.error}")

    table = harness.markdown_table(
        ["training", "passes", "seconds", "accuracy", "perplexity", "test ELBO"],
        [
            [
                result.label,
                n_passes,
                f"{result.fit_seconds:.0f}",
                f"{result.accuracy:.3f}",
                f"{result.perplexity:.0f}",
                f"{result.model.score(X_test):.1f}",
            ]
            for result in (fitted, streamed)
        ],
    )
    print(table)
    header = "\n".join(f"- {line}" for line in info)
    return harness.Report([header, table], title="Streaming benchmark")


BENCHMARK = harness.Benchmark(
    name="streaming",
    description=__doc__.splitlines()[0],
    run=run,
    options=(
        harness.Option("--n-chunks", int, 10),
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters of both models, as a JSON object",
        ),
        harness.N_DOCS,
        harness.OUTPUT,
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
