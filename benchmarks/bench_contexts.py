"""WordContexts on 20 Newsgroups: how long it takes, and which defaults score best.

On the corpus and vocabulary of ``bench_word_vectors.py`` (all 18,821
documents, ``CountVectorizer(min_df=5, max_df=0.5)``, about 29,400 terms):

1. the wall-clock time of ``WordContexts(window=5)``'s ``fit``, ``transform``
   and ``fit_transform``, with ``bags="term"`` and ``bags="position"``;
2. the PPMI-SVD word vectors of ``bench_word_vectors.py`` (PPMI with context
   distribution smoothing 0.75, SVD-100, ``U * S**0.5``) for every
   ``window_weighting`` with and without word2vec's subsampling, scored on
   WordSim353 and SimLex-999: the measurement behind WordContexts' defaults.

Run from the repository root (about 10 minutes on 2 cores)::

    python benchmarks/bench_contexts.py --output benchmarks/results/contexts.md
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_word_vectors import (  # noqa: E402
    WINDOW,
    evaluate,
    fit_ppmi_svd,
    load_corpus,
    load_similarity_sets,
)

from skvae.text import WordContexts  # noqa: E402

WEIGHTINGS = ("uniform", "linear", "harmonic")
SUBSAMPLES = (None, 1e-4, 1e-5)


def time_contexts(corpus, **params) -> list[str]:
    """Table rows: seconds of fit, transform and fit_transform, and the shape."""
    contexts = WordContexts(WINDOW, vocabulary=corpus.vocabulary, random_state=0)
    contexts.set_params(**params)
    start = time.perf_counter()
    contexts.fit(corpus.docs)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    contexts.transform(corpus.docs)
    transform = time.perf_counter() - start
    start = time.perf_counter()
    matrix = contexts.fit_transform(corpus.docs)
    fit_transform = time.perf_counter() - start
    label = ", ".join(f"{k}={v!r}" for k, v in params.items())
    shape = f"{matrix.shape[0]:,} x {matrix.shape[1]:,}, {matrix.nnz:,} non-zeros"
    return [
        f"| {label} | {fit:.1f} | {transform:.1f} | {fit_transform:.1f} | {shape} |"
    ]


def run(args: argparse.Namespace) -> harness.Report:
    """Run both measurements and print the report; it is ``--output``'s."""
    corpus = load_corpus(args.n_docs)
    n_tokens = sum(map(len, corpus.tokens))
    print(
        f"{len(corpus.docs)} documents, {n_tokens:,} tokens, "
        f"{len(corpus.vocabulary)} terms",
        flush=True,
    )
    timing = [
        "| WordContexts(window=5, ...) | fit s | transform s | fit_transform s "
        "| output |",
        "|---|---:|---:|---:|---|",
    ]
    for params in (
        {"bags": "term"},
        {"bags": "term", "window_weighting": "linear", "subsample": 1e-4},
        {"bags": "position"},
        {"bags": "position", "position_rate": 0.1},
    ):
        timing += time_contexts(corpus, **params)
        print(timing[-1], flush=True)

    sets = load_similarity_sets()
    models = []
    for weighting in WEIGHTINGS:
        for subsample in SUBSAMPLES:
            params = {"window_weighting": weighting, "subsample": subsample}
            models.append(fit_ppmi_svd(corpus, 100, params))
            models[-1].name = f"{weighting} | {subsample}"
            print(f"  {models[-1].name}: {models[-1].fit_seconds:.1f} s", flush=True)
    evaluate(models, sets)
    scores = [
        "| window_weighting | subsample | WS353 rho | SimLex rho | fit s |",
        "|---|---|---:|---:|---:|",
    ]
    for m in models:
        scores.append(
            f"| {m.name} | {m.scores['WS353']['rho']:.3f} "
            f"| {m.scores['SimLex']['rho']:.3f} | {m.fit_seconds:.1f} |"
        )
    n_pairs = {name: m.scores[name]["n_used"] for name in sets}
    report = "\n".join(
        [
            "# WordContexts on 20 Newsgroups",
            "",
            f"{len(corpus.docs)} documents, {n_tokens:,} tokens in the vocabulary "
            f"of CountVectorizer(min_df=5, max_df=0.5) ({len(corpus.vocabulary)} "
            "terms); one run on a shared 2-core machine.",
            "",
            "## Time",
            "",
            *timing,
            "",
            "## PPMI-SVD-100 word vectors by window weighting and subsampling",
            "",
            f"Window {WINDOW}; Spearman rho on WS353 ({n_pairs['WS353']} pairs) and "
            f"SimLex-999 ({n_pairs['SimLex']} pairs); fit s includes counting.",
            "",
            *scores,
            "",
        ]
    )
    print()
    print(report)
    return harness.Report([report.removesuffix("\n")])


BENCHMARK = harness.Benchmark(
    name="contexts",
    description=__doc__.split("\n\n")[0],
    run=run,
    options=(
        harness.Option("--n-docs", int, None),
        harness.Option("--output", pathlib.Path, None),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
