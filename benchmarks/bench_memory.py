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
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
import torch

GB = 1024**3


def generate_counts(n_docs, n_terms, nnz_per_row, seed=0, chunk=20_000):
    """A CSR matrix of word counts with Zipf-distributed term frequencies."""
    rng = np.random.default_rng(seed)
    frequency = 1.0 / np.arange(1, n_terms + 1)
    frequency /= frequency.sum()

    def block(n_rows, words_per_row):
        lengths = rng.poisson(words_per_row, size=n_rows)
        rows = np.repeat(np.arange(n_rows, dtype=np.int32), lengths)
        columns = rng.choice(n_terms, size=rows.size, p=frequency).astype(np.int32)
        counts = sp.csr_matrix(
            (np.ones(rows.size), (rows, columns)), shape=(n_rows, n_terms)
        )
        counts.sum_duplicates()
        return counts

    # Frequent terms repeat within a document: draw more words than the
    # number of distinct terms wanted (calibrated on a pilot sample).
    words_per_row = nnz_per_row
    for _ in range(3):
        pilot = block(1000, words_per_row)
        words_per_row *= nnz_per_row / (pilot.nnz / 1000)
    blocks = [
        block(min(chunk, n_docs - start), words_per_row)
        for start in range(0, n_docs, chunk)
    ]
    X = sp.vstack(blocks, format="csr")
    X.indices = X.indices.astype(np.int32, copy=False)
    return X


def _status_kb(field: str) -> int:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def child(args) -> None:
    """Build the matrix, fit, and print one JSON line of measurements."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skvae import VAEEmbedder

    warnings.simplefilter("ignore", ConvergenceWarning)
    X = generate_counts(args.n_docs, args.n_terms, args.nnz_per_row)
    csr_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    rss_before = _status_kb("VmRSS") * 1024
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM
    vae = VAEEmbedder(50, max_iter=args.max_iter, random_state=0, verbose=1)
    start = time.perf_counter()
    vae.fit(X)
    fit_seconds = time.perf_counter() - start
    Z = vae.transform(X)
    print(
        json.dumps(
            {
                "shape": list(X.shape),
                "nnz": int(X.nnz),
                "csr_bytes": csr_bytes,
                "rss_before_fit": rss_before,
                "peak_fit": _status_kb("VmHWM") * 1024,
                "fit_seconds": fit_seconds,
                "torch_threads": torch.get_num_threads(),
                "epochs": vae.n_iter_,
                "losses": vae.loss_curve_,
                "finite_embedding": bool(np.isfinite(Z).all()),
            }
        )
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=200_000)
    parser.add_argument("--n-terms", type=int, default=50_000)
    parser.add_argument("--nnz-per-row", type=int, default=100)
    parser.add_argument("--max-iter", type=int, default=2)
    parser.add_argument("--output", type=pathlib.Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return

    # Imported by the parent only: the child's peak RSS must not count it.
    import harness

    command = [sys.executable, __file__, "--child"] + [
        f"--{name}={getattr(args, name.replace('-', '_'))}"
        for name in ("n-docs", "n-terms", "nnz-per-row", "max-iter")
    ]
    import resource

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
    harness.write_markdown(args.output, ["\n".join(lines)], title="Memory benchmark")


if __name__ == "__main__":
    main()
