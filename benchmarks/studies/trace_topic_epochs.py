"""Topic quality epoch by epoch, and where each stopping rule would stop.

A development tool behind the sweep in
``docs/notes/2026-12-02-topic-speed.md``: for each setting it fits
``VAEEmbedder(latent="topic", n_components=50)`` on the first four fifths
of the 20 Newsgroups training matrix (2,000 terms) with the stopping rule
switched off (``tol=0``, ``n_iter_no_change=max_iter``), and after every
epoch keeps the decoder's loadings (``components_`` as they are at that
epoch) and the epoch's wall-clock and CPU seconds. It then reports
the NPMI (top 10 terms, the last fifth of the training documents as
reference) and diversity (top 25) at chosen epochs, and the epoch at which
``tol`` / ``n_iter_no_change`` would have stopped a normal ``fit`` and the
quality there. Without a validation set ``fit`` keeps the last epoch's
weights and the rule draws no random numbers, so a fit with that rule ends
exactly at that epoch with those loadings.

The per-epoch hook wraps ``skvae._model.training.run_single_epoch`` for the run
(instrumentation only: it reads the network after each epoch and changes
nothing); ``bench_topic_speed.py`` measures real fits through the public API.

Run from the repository root::

    python benchmarks/studies/trace_topic_epochs.py --output /tmp/trace.pkl \\
        --settings '[{"max_iter": 60}, {"max_iter": 40, "learning_rate_init": 0.004}]'
    python benchmarks/studies/trace_topic_epochs.py --report /tmp/trace.pkl

``"threads"`` (default 1) and ``"seed"`` (default 0) in a setting set torch's
thread count and ``random_state``; ``"max_iter"`` (default 120) the epochs.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import pickle
import sys
import time
import warnings
from collections.abc import Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import harness  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import skvae._model.training as training  # noqa: E402
from skvae import VAEEmbedder  # noqa: E402
from skvae._model.inference import decoder_loadings  # noqa: E402
from skvae.datasets import make_vectorizer  # noqa: E402
from skvae.metrics import topic_coherence, topic_diversity  # noqa: E402

RULES = ((1e-3, 3), (1e-3, 5), (1e-3, 10))
EPOCHS = (10, 20, 30, 40)


def stop_epoch(loss: Sequence[float], tol: float, n_iter_no_change: int):
    """The epoch (1-based) at which fit's rule stops, and whether it did."""
    best, no_improvement = -np.inf, 0
    for epoch, value in enumerate(loss):
        score = -value
        if not np.isfinite(best) or score > best + tol * abs(best):
            no_improvement = 0
        else:
            no_improvement += 1
        best = max(best, score)
        if no_improvement >= n_iter_no_change:
            return epoch + 1, True
    return len(loss), False


def trace(settings: list[dict], n_components: int) -> list[dict]:
    corpus = harness.load_corpus("20newsgroups")
    X, _ = corpus.vectorize(
        make_vectorizer("counts", max_features=harness.MAX_FEATURES)
    )
    cut = int(0.8 * X.shape[0])
    X_fit, X_ref = X[:cut], X[cut:]
    original = training.run_single_epoch
    record: dict[str, list] = {}

    def traced(network, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        loss = original(network, *args)
        record["wall"].append(time.perf_counter() - wall)
        record["cpu"].append(time.process_time() - cpu)
        with torch.no_grad():
            record["loadings"].append(decoder_loadings(network))
        return loss

    results = []
    training.run_single_epoch = traced
    try:
        for setting in settings:
            params = dict(setting)
            threads = params.pop("threads", 1)
            seed = params.pop("seed", 0)
            max_iter = params.pop("max_iter", 120)
            record.update(wall=[], cpu=[], loadings=[])
            torch.set_num_threads(threads)
            model = VAEEmbedder(
                latent="topic",
                n_components=n_components,
                random_state=seed,
                max_iter=max_iter,
                tol=0.0,
                n_iter_no_change=max_iter,
                **params,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_fit)
            results.append(
                {
                    "setting": params,
                    "threads": threads,
                    "seed": seed,
                    "wall": record["wall"],
                    "cpu": record["cpu"],
                    "loss": list(model.loss_curve_),
                    "npmi": [topic_coherence(w, X_ref) for w in record["loadings"]],
                    "diversity": [topic_diversity(w) for w in record["loadings"]],
                }
            )
            print(f"traced {setting}", flush=True)
    finally:
        training.run_single_epoch = original
    return results


def report(results: list[dict]) -> str:
    header = ["setting", "threads", "seed", "CPU s / epoch"]
    header += [f"NPMI / diversity, epoch {e}" for e in EPOCHS]
    header += [f"stop: tol {tol:g}, n {n}" for tol, n in RULES]
    rows = []
    for r in results:
        name = ", ".join(f"{k}={v}" for k, v in r["setting"].items()) or "defaults"

        def at(epoch, r=r):
            return f"{r['npmi'][epoch - 1]:.3f} / {r['diversity'][epoch - 1]:.3f}"

        cells = [at(e) if e <= len(r["npmi"]) else "" for e in EPOCHS]
        for tol, n in RULES:
            epoch, stopped = stop_epoch(r["loss"], tol, n)
            cells.append(f"{epoch}: {at(epoch)}" if stopped else f"> {epoch}")
        rows.append(
            [name, r["threads"], r["seed"], f"{np.median(r['cpu']):.2f}", *cells]
        )
    return harness.markdown_table(header, rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=json.loads, default=[{}])
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--output", help="pickle the traces to this file")
    parser.add_argument("--report", nargs="+", help="pickles to report on")
    args = parser.parse_args(argv)
    if args.report:
        results = []
        for path in args.report:
            with open(path, "rb") as file:
                results += pickle.load(file)
    else:
        results = trace(args.settings, args.n_components)
        if args.output:
            with open(args.output, "wb") as file:
                pickle.dump(results, file)
    print(report(results))


if __name__ == "__main__":
    main()
