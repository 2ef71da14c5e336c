"""What ``make demo`` prints, over seeds: the spread a user sees on another CPU.

The demo's figures depend on the seed and on the CPU: ``precision="auto"``
multiplies in bfloat16 where the CPU has bfloat16 units and in float32
elsewhere, and training is chaotic, so any other rounding moves them as a
different seed does. This runs the demo (:func:`skvae.demo.run`) with
several seeds in both precisions and prints each figure's range, which the
README quotes.

Run from the repository root (about two minutes a run)::

    python benchmarks/bench_demo.py --output benchmarks/results/demo.md
"""

from __future__ import annotations

import argparse
import contextlib
import io
import pathlib

import harness

from skvae import demo

FIGURES = {
    "vae_accuracy": ("VAEEmbedder test accuracy", ".3f"),
    "lsa_accuracy": ("LSA test accuracy", ".3f"),
    "topic_npmi": ("topic mode mean NPMI", ".3f"),
    "topic_diversity": ("topic diversity", ".3f"),
    "topic_perplexity": ("topic test perplexity", ".0f"),
}


def run(args: argparse.Namespace) -> harness.Report:
    """Run the demo over the seeds; print the ranges and return them."""
    header = harness.start_run()
    runs = []
    for precision in ("bfloat16", "float32"):
        for seed in range(args.seeds):
            argv = ["--random-state", str(seed), "--precision", precision]
            with contextlib.redirect_stdout(io.StringIO()):
                runs.append(demo.run(argv))
            print(f"{precision}, seed {seed}: {runs[-1]}", flush=True)
    rows = []
    for key, (name, spec) in FIGURES.items():
        values = [figures[key] for figures in runs]
        rows.append(
            [
                name,
                " / ".join(format(v, spec) for v in values),
                f"{format(min(values), spec)}-{format(max(values), spec)}",
            ]
        )
    table = harness.markdown_table(
        ["figure", f"bfloat16 then float32, seeds 0-{args.seeds - 1} each", "range"],
        rows,
    )
    text = "\n".join(
        [
            "# What the demo prints, over seeds",
            "",
            f"`python benchmarks/bench_demo.py --seeds {args.seeds}`",
            "",
            *[f"- {line}" for line in header],
            "",
            table,
            "",
        ]
    )
    print(text)
    return harness.Report([text.removesuffix("\n")])


BENCHMARK = harness.Benchmark(
    name="demo",
    description=__doc__.split("\n\n")[0],
    run=run,
    options=(
        harness.Option("--seeds", int, 4, "seeds 0..N-1"),
        harness.Option("--output", pathlib.Path),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
