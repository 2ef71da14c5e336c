"""The benchmarks' one command line.

Run from the repository root::

    python benchmarks/run.py --list                  # each benchmark, one line
    python benchmarks/run.py text --help             # a benchmark's options
    python benchmarks/run.py text --n-docs 1500 --vae-params '{"max_iter": 2}'

Each benchmark is declared in its module as ``BENCHMARK``, a
:class:`harness.Benchmark`; its options come from that declaration. The old
scripts still run (``python benchmarks/bench_text.py ...``): each calls
:func:`harness.cli` with its own declaration.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import harness

#: The benchmarks' modules, in the order ``--list`` prints them.
MODULES = (
    "suite",
    "bench_vocabulary",
    "bench_text",
    "bench_topic_speed",
    "bench_guided_topics",
    "bench_topic_reduction",
    "bench_word_vectors",
    "bench_contexts",
    "bench_imputation",
    "bench_speed",
    "bench_memory",
    "bench_streaming",
    "bench_onnx",
    "bench_gpu",
    "bench_demo",
)


def module_name(name: str) -> str:
    """The module of a benchmark: ``"text"`` -> ``"bench_text"``."""
    return name if name in MODULES else f"bench_{name}"


def load(name: str) -> harness.Benchmark:
    """The declaration of the benchmark called ``name``."""
    module = module_name(name)
    if module not in MODULES:
        known = ", ".join(m.removeprefix("bench_") for m in MODULES)
        raise SystemExit(f"run.py: no benchmark {name!r}; choose from {known}")
    return importlib.import_module(module).BENCHMARK


def listing() -> str:
    """Each benchmark: its name and description (or why it can't load here),
    then, indented, the axes of its grid that it declares."""
    lines = []
    for module in MODULES:
        name = module.removeprefix("bench_")
        try:
            benchmark = load(name)
        except ImportError as error:  # e.g. onnxruntime not installed
            lines.append(f"{name:<16} (not available here: {error})")
            continue
        lines.append(f"{name:<16} {benchmark.description}")
        axes = [
            f"{axis} {','.join(getattr(benchmark, axis))}"
            for axis in harness.AXES
            if getattr(benchmark, axis)
        ]
        if axes:
            lines.append(f"{'':<16}   {'; '.join(axes)}")
    return "\n".join(lines)


USAGE = "usage: run.py --list | run.py <benchmark> [options] (--help for its options)"


def main(argv: Sequence[str] | None = None) -> harness.Report | None:
    """Run the benchmark named by the first argument, or list them."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return None
    if argv[0] == "--list":
        print(listing())
        return None
    benchmark = load(argv[0])
    return harness.cli(benchmark, argv[1:], prog=f"run.py {argv[0]}")


if __name__ == "__main__":
    main()
