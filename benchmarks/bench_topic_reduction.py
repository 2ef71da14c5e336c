"""What reducing topics costs: 50 topics reduced to 20 against 20 fitted directly.

On the 2,000-term count matrix of ``bench_text.py`` (20 Newsgroups by
default), for random states 0 to ``--random-states`` - 1: topic mode
(``VAEEmbedder(latent="topic")`` with its defaults) fitted with
``--from-topics`` topics and reduced with :func:`skvae.topics.reduce_topics`
to ``--to-topics`` (weighted by the training documents), against the same
model fitted with ``--to-topics`` topics directly. Per row: NPMI of the top-10
terms in the test documents, diversity of the top 25, perplexity of the test
counts, and seconds (the reduction's own, and the fits'). Ends with the
check: the reduced model's mean NPMI within 0.02 of the direct fit's.

Run from the repository root::

    python benchmarks/bench_topic_reduction.py \\
        --output benchmarks/results/topic_reduction.md

    # quick smoke test on a slice
    python benchmarks/bench_topic_reduction.py --n-docs 1500 --random-states 1 \\
        --vae-params '{"max_iter": 2}'
"""

from __future__ import annotations

import argparse
import warnings

import harness
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skvae.metrics import topic_coherence, topic_diversity
from skvae.topics import reduce_topics

NPMI_MARGIN = 0.02


def measure(label, model, X_test, seconds) -> list[str]:
    return [
        label,
        f"{topic_coherence(model, X_test, top_n=harness.N_NPMI_TERMS):.3f}",
        f"{topic_diversity(model, top_n=harness.N_DIVERSITY_TERMS):.3f}",
        f"{model.perplexity(X_test):.0f}",
        f"{seconds:.1f}",
    ]


def run(args: argparse.Namespace) -> harness.Report:
    """Fit, reduce and measure; print the table and the check."""
    lines = harness.start_run()
    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer("counts-2000")
    X_train, X_test = corpus.vectorize(vectorizer)
    lines.append(f"{corpus.describe()}; {X_train.shape[1]} terms")
    rows, reduced_npmi, direct_npmi = [], [], []
    for seed in range(args.random_states):
        params = {"latent": "topic", "random_state": seed, **args.vae_params}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            large, large_s = harness.timed(
                harness.make_vae(args.from_topics, **params).fit, X_train
            )
            small, small_s = harness.timed(
                harness.make_vae(args.to_topics, **params).fit, X_train
            )
        reduced, reduce_s = harness.timed(reduce_topics, large, args.to_topics, X_train)
        rows.append(
            measure(f"seed {seed}: {args.from_topics} fitted", large, X_test, large_s)
        )
        rows.append(
            measure(
                f"seed {seed}: {args.from_topics} reduced to {args.to_topics}",
                reduced,
                X_test,
                reduce_s,
            )
        )
        rows.append(
            measure(f"seed {seed}: {args.to_topics} fitted", small, X_test, small_s)
        )
        reduced_npmi.append(float(rows[-2][1]))
        direct_npmi.append(float(rows[-1][1]))
        print(*rows[-3:], sep="\n", flush=True)
    gap = np.mean(direct_npmi) - np.mean(reduced_npmi)
    verdict = "PASS" if gap <= NPMI_MARGIN else "FAIL"
    table = harness.markdown_table(
        ["model", "NPMI", "diversity", "perplexity", "seconds"], rows
    )
    check = (
        f"{verdict}: mean NPMI of the reduced models {np.mean(reduced_npmi):.3f} "
        f"against {np.mean(direct_npmi):.3f} fitted with {args.to_topics} topics "
        f"(gap {gap:+.3f}; at most {NPMI_MARGIN} allowed). Seconds: the fit, or "
        "for a reduced model the reduction alone."
    )
    print(table, check, sep="\n")
    return harness.Report(
        ["\n".join(f"- {line}" for line in lines), table, check],
        title=f"Topic reduction: {args.from_topics} to {args.to_topics} topics",
    )


BENCHMARK = harness.Benchmark(
    name="topic_reduction",
    description=__doc__.splitlines()[0],
    run=run,
    corpora=("20newsgroups",),
    vectorizers=("counts-2000",),
    models=("vae-topic",),
    scorers=("npmi", "diversity", "perplexity"),
    choose={"corpora": "--corpus"},
    options=(
        harness.VAE_PARAMS,
        harness.N_DOCS,
        harness.OUTPUT,
        harness.Option("--from-topics", int, 50),
        harness.Option("--to-topics", int, 20),
        harness.Option(
            "--random-states",
            int,
            3,
            "fit with random_state 0, 1, ..., this number minus one",
        ),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
