"""What seeding topics costs: topic mode with and without ``seed_topics``.

Fits ``VAEEmbedder(latent="topic")`` with its defaults on the 2,000-term count
matrix of ``bench_text.py``, once without seeds and once with the seed lists
of ``--seeds`` (five by default: religion, hockey, space, encryption, cars),
for each random state of ``--random-states``.  Prints per run: the mean NPMI
of all topics' top 10 terms in the test documents
(:func:`skvae.metrics.topic_coherence`), of the seeded and of the other
topics, the diversity of the top 25 terms, and how many seeded topics hold
all their seed terms among their top 10; then the means over the random
states and the checks of issue 14 as PASS / FAIL lines (every seed in its
topic's top 10; mean NPMI at most 0.01 below the unseeded model's).

Run from the repository root::

    python benchmarks/bench_guided_topics.py \\
        --output benchmarks/results/guided_topics.md

    # quick smoke test on a slice
    python benchmarks/bench_guided_topics.py --n-docs 1500 --random-states 1 \\
        --vae-params '{"max_iter": 2}'
"""

from __future__ import annotations

import argparse
import warnings

import harness
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skvae import VAEEmbedder
from skvae.metrics import top_term_indices, topic_coherence, topic_diversity
from skvae.text import term_indices

DEFAULT_SEEDS = (
    "god,jesus,bible;hockey,nhl,team;space,nasa,orbit;"
    "encryption,key,clipper;car,cars,engine"
)


def parse_seeds(text: str) -> list[list[str]]:
    """``"a,b;c,d"`` -> ``[["a", "b"], ["c", "d"]]`` (an argparse type)."""
    groups = [[t.strip() for t in g.split(",") if t.strip()] for g in text.split(";")]
    if not groups or not all(groups):
        raise argparse.ArgumentTypeError(f"empty seed list in {text!r}")
    return groups


def measure(model: VAEEmbedder, X_test, seed_columns) -> dict[str, float]:
    """NPMI of all, the seeded (the first) and the other topics; diversity."""
    per_topic = topic_coherence(model, X_test, per_topic=True)
    n_seeded = len(seed_columns)
    top = top_term_indices(model, 10)
    held = sum(set(columns) <= set(top[k]) for k, columns in enumerate(seed_columns))
    return {
        "npmi": float(per_topic.mean()),
        "seeded": float(per_topic[:n_seeded].mean()) if n_seeded else np.nan,
        "rest": float(per_topic[n_seeded:].mean()),
        "diversity": topic_diversity(model, top_n=25),
        "held": held,
    }


def run(args: argparse.Namespace) -> harness.Report:
    """Fit with and without seeds; print the table and the checks."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    harness.warm_up_torch()
    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer("counts-2000")
    X_train, X_test = corpus.vectorize(vectorizer)
    seed_columns = term_indices(vectorizer, args.seeds)
    rows, runs = [], {"unseeded": [], "seeded": []}
    variants = (("unseeded", {}), ("seeded", {"seed_topics": seed_columns}))
    for state in range(args.random_states):
        for name, extra in variants:
            params = {"latent": "topic", "random_state": state, **args.vae_params}
            model = VAEEmbedder(n_components=args.n_components, **params, **extra)
            model, seconds = harness.timed(model.fit, X_train)
            scores = measure(model, X_test, extra.get("seed_topics", []))
            scores["fit"] = seconds
            runs[name].append(scores)
            rows.append(
                [
                    name,
                    state,
                    f"{seconds:.1f}",
                    f"{scores['npmi']:.3f}",
                    f"{scores['seeded']:.3f}" if extra else "",
                    f"{scores['rest']:.3f}" if extra else "",
                    f"{scores['diversity']:.3f}",
                    f"{scores['held']} of {len(seed_columns)}" if extra else "",
                ]
            )
            print(*rows[-1], flush=True)
    summary = {
        name: {
            "fit": np.mean([s["fit"] for s in scores]),
            "npmi": np.mean([s["npmi"] for s in scores]),
            "diversity": np.mean([s["diversity"] for s in scores]),
            "held": sum(s["held"] for s in scores),
        }
        for name, scores in runs.items()
    }
    total = len(seed_columns) * args.random_states
    for name, means in summary.items():
        rows.append(
            [
                f"{name}, mean",
                "",
                f"{means['fit']:.1f}",
                f"{means['npmi']:.3f}",
                "",
                "",
                f"{means['diversity']:.3f}",
                f"{means['held']} of {total}" if name == "seeded" else "",
            ]
        )
    header = [
        "model",
        "random_state",
        "fit s",
        "NPMI",
        "NPMI seeded",
        "NPMI others",
        "diversity",
        "seeded topics holding their seeds",
    ]
    table = harness.markdown_table(header, rows)
    unseeded, seeded = summary["unseeded"]["npmi"], summary["seeded"]["npmi"]
    held = summary["seeded"]["held"]
    checks = [
        f"{'PASS' if held == total else 'FAIL'}: {held} of {total} seeded topics "
        "hold all their seeds in their top 10",
        f"{'PASS' if seeded >= unseeded - 0.01 else 'FAIL'}: mean NPMI seeded "
        f"{seeded:.3f} >= unseeded {unseeded:.3f} - 0.01",
    ]
    print(table)
    print("\n".join(checks))
    seeds = "; ".join(" ".join(group) for group in args.seeds)
    description = [
        *(f"- {line}" for line in harness.machine_info()),
        f"- data: 20 Newsgroups, {X_train.shape[0]} train / {X_test.shape[0]} test "
        f"documents, {X_train.shape[1]} terms, n_components={args.n_components}",
        f"- seeds (topics 0-{len(args.seeds) - 1}): {seeds}",
    ]
    return harness.Report(
        ["\n".join(description), table, "\n".join(f"- {c}" for c in checks)],
        title="Guided topics on 20 Newsgroups (2,000 terms)",
    )


BENCHMARK = harness.Benchmark(
    name="guided_topics",
    description=__doc__.splitlines()[0],
    run=run,
    corpora=("20newsgroups",),
    vectorizers=("counts-2000",),
    models=("vae-topic",),
    scorers=("fit-seconds", "npmi", "diversity"),
    options=(
        harness.VAE_PARAMS,
        harness.N_DOCS,
        harness.OUTPUT,
        harness.Option("--n-components", int, 50),
        harness.Option(
            "--seeds",
            parse_seeds,
            parse_seeds(DEFAULT_SEEDS),
            "seed terms: topics separated by ';', terms by ','",
        ),
        harness.Option(
            "--random-states",
            int,
            4,
            "fit with random_state 0, 1, ..., this number minus one",
        ),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
