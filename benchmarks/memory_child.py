"""The measured process of ``bench_memory.py``: build a matrix, fit, report.

Kept apart from ``bench_memory.py`` so that the process whose memory is
measured imports nothing of the benchmark harness. ``bench_memory.py`` runs
it as ``python benchmarks/memory_child.py '<JSON object>'``, the object
holding the arguments of :func:`child`; it prints one JSON line.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

import numpy as np
import scipy.sparse as sp
import torch


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


def child(n_docs: int, n_terms: int, nnz_per_row: int, max_iter: int) -> None:
    """Build the matrix, fit, and print one JSON line of measurements."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skvae import VAEEmbedder

    warnings.simplefilter("ignore", ConvergenceWarning)
    X = generate_counts(n_docs, n_terms, nnz_per_row)
    csr_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    rss_before = _status_kb("VmRSS") * 1024
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM
    vae = VAEEmbedder(50, max_iter=max_iter, random_state=0, verbose=1)
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


if __name__ == "__main__":
    child(**json.loads(sys.argv[1]))
