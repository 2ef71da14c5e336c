"""Memory benchmark: peak RSS of fitting a large sparse count matrix.

A child process generates a CSR count matrix (``--n-docs`` x ``--n-terms``,
about ``--nnz-per-row`` stored entries per row, term frequencies following a
Zipf law like a real vocabulary, float64 values, int32 indices), then fits
``VAEEmbedder(n_components=50, max_iter=--max-iter, random_state=0)`` (every
other setting at its default) and transforms the matrix.  Reported:

- the CSR's size (data + indices + indptr);
- the peak resident set size during ``fit`` + ``transform`` (Linux's VmHWM,
  reset through ``/proc/self/clear_refs`` once the matrix is built), and its
  excess over the CSR's size (target: at most 1.5 GB);
- the peak RSS of the whole child (matrix generation included) and the
  training losses (finite and decreasing: the defaults train stably).

Run from the repository root::

    python benchmarks/bench_memory.py --output benchmarks/results/memory.md

One epoch over 200,000 x 50,000 takes minutes; the memory does not grow with
the number of epochs.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys

import harness

GB = 1024**3
#: The measured process: it imports nothing of the harness.
CHILD = pathlib.Path(__file__).resolve().with_name("memory_child.py")


def run(args: argparse.Namespace) -> harness.Report:
    """Measure in a child process; print the figures and return them."""
    settings = {
        name: getattr(args, name)
        for name in ("n_docs", "n_terms", "nnz_per_row", "max_iter")
    }
    command = [sys.executable, str(CHILD), json.dumps(settings)]

    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"child failed:\n{completed.stderr}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    # ru_maxrss is in kB on Linux.
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    excess = result["peak_fit"] - result["csr_bytes"]
    losses = ", ".join(f"{loss:.1f}" for loss in result["losses"])
    lines = [
        *(f"- {line}" for line in harness.machine_info()),
        f"- matrix: {result['shape'][0]} x {result['shape'][1]}, "
        f"{result['nnz']} stored entries, CSR {result['csr_bytes'] / GB:.2f} GB",
        f"- VAEEmbedder(n_components=50, max_iter={args.max_iter}): fit "
        f"{result['fit_seconds']:.0f} s with {result['torch_threads']} torch "
        f"thread(s), {result['epochs']} epochs, "
        f"losses {losses}, finite embedding: {result['finite_embedding']}",
        f"- RSS before fit (matrix built, torch loaded): "
        f"{result['rss_before_fit'] / GB:.2f} GB",
        f"- peak RSS during fit + transform: {result['peak_fit'] / GB:.2f} GB = "
        f"CSR + {excess / GB:.2f} GB (target: CSR + 1.5 GB)",
        f"- peak RSS of the child, matrix generation included: "
        f"{child_peak / GB:.2f} GB",
    ]
    print("\n".join(lines))
    return harness.Report(["\n".join(lines)], title="Memory benchmark")


BENCHMARK = harness.Benchmark(
    name="memory",
    description=__doc__.splitlines()[0],
    run=run,
    options=(
        harness.Option("--n-docs", int, 200_000),
        harness.Option("--n-terms", int, 50_000),
        harness.Option("--nnz-per-row", int, 100),
        harness.Option("--max-iter", int, 2),
        harness.Option("--output", pathlib.Path, None),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
