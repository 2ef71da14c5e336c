"""GPU benchmark: the CUDA path run for real, side by side with the CPU.

On a machine with CUDA, in one run:

1. the test suite's ``cuda``-marked tests (``pytest -m cuda tests``);
2. on 20 Newsgroups (``--vocabularies``: the 2,000-term counts
   ``make_vectorizer("counts", max_features=2000)`` and the whole vocabulary
   ``make_vectorizer("counts")``), the default VAEEmbedder and
   ``latent="topic"`` (``n_components=50``) fitted on the GPU and on the CPU:
   epochs, fit seconds, seconds per epoch, transform seconds, test accuracy
   (:func:`harness.run_model`) and perplexity, the two devices in adjacent
   rows; and the largest difference between the test embeddings of two GPU
   fits with the same ``random_state`` (CUDA's atomic adds are not
   deterministic);
3. a GPU-fitted pipeline (the first vocabulary's vectorizer and default
   model, ``device="cuda"``) pickled and loaded in a child process with
   ``CUDA_VISIBLE_DEVICES=""``: the child must warn with
   :class:`~skvae.exceptions.DeviceFallbackWarning`, run on the CPU and give
   the GPU's test embeddings within 1e-6.

Without CUDA the script runs its CPU half (the CPU fits, and the pickle check
on a CPU-fitted pipeline given ``device="cuda"``, as a GPU-fitted one holds)
and says that the GPU half was skipped.

Run from the repository root::

    python benchmarks/bench_gpu.py --output benchmarks/results/gpu.md

    # a GPU session of about ten minutes
    python benchmarks/bench_gpu.py --max-iter 20 --output benchmarks/results/gpu.md

    # quick smoke test of the CPU half
    python benchmarks/bench_gpu.py --n-docs 500 --max-iter 2 --vocabularies 2000
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import replace

import harness
import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skvae.exceptions import DeviceFallbackWarning

N_COMPONENTS = 50
MODELS = {"default": {}, "topic": {"latent": "topic"}}
#: ``--vocabularies`` names: the vectorizer of each (harness.VECTORIZERS).
VOCABULARIES = {"2000": "counts-2000", "full": "counts"}
#: How close the CPU child's embeddings must be to the GPU's.
PICKLE_ATOL = 1e-6
ROOT = pathlib.Path(__file__).resolve().parent.parent

HEADER = [
    "vocabulary (terms)",
    "model",
    "device",
    "epochs",
    "fit s",
    "s / epoch",
    "CPU / GPU s per epoch",
    "transform s",
    "accuracy",
    "perplexity",
]


def run_cuda_tests() -> str:
    """Run ``pytest -m cuda tests`` in a child; its closing line."""
    command = [sys.executable, "-m", "pytest", "-m", "cuda", "-q", "tests"]
    print("$", " ".join(command), flush=True)
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=environ_with_root(dict(os.environ)),
        capture_output=True,
        text=True,
        check=False,
    )
    print(completed.stdout[-4000:], completed.stderr[-2000:], sep="\n", flush=True)
    lines = completed.stdout.strip().splitlines()
    closing = lines[-1] if lines else "(no output)"
    return f"exit status {completed.returncode}: {closing}"


def warm_up(devices: Sequence[str]) -> None:
    """One tiny fit per device before anything is timed.

    The first fit in a process pays one-time costs (on a GPU the CUDA context
    and kernel loading) that would otherwise land in the first row.
    """
    X = np.random.default_rng(0).poisson(1.0, size=(64, 32))
    for device in devices:
        harness.make_vae(2, device=device, max_iter=1).fit(X).transform(X)


def fit_rows(terms, label, results) -> list[list[str]]:
    """The rows of one model, one per device; the GPU's row has the speed-up."""
    per_epoch = {
        device: result.fit_seconds / max(result.n_iter or 1, 1)
        for device, result in results.items()
    }
    rows = []
    for device, result in results.items():
        if result.error is not None:
            rows.append([terms, label, device, f"failed: {result.error}"])
            continue
        speed_up = ""
        if device == "cuda" and "cpu" in per_epoch:
            speed_up = f"{per_epoch['cpu'] / per_epoch['cuda']:.1f}x"
        rows.append(
            [
                terms,
                label,
                device,
                result.n_iter,
                f"{result.fit_seconds:.1f}",
                f"{per_epoch[device]:.3f}",
                speed_up,
                f"{result.transform_seconds:.3f}",
                f"{result.accuracy:.3f}",
                harness.fmt(result.perplexity, ".0f"),
            ]
        )
    return rows


def check_pickle(pipe, docs, Z, folder: pathlib.Path) -> str:
    """Load ``pipe`` in a child without CUDA; how its embeddings compare to Z."""
    (folder / "pipeline.pkl").write_bytes(pickle.dumps(pipe))
    (folder / "docs.json").write_text(json.dumps(docs), encoding="utf-8")
    environment = environ_with_root({**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    command = [sys.executable, __file__, "--check-pickle", str(folder)]
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return f"FAIL: the child exited with {completed.returncode}: {completed.stderr}"
    report = json.loads((folder / "child.json").read_text(encoding="utf-8"))
    difference = float(np.abs(np.load(folder / "Z.npy") - Z).max())
    passed = (
        report["warned"] and not report["cuda_available"] and difference <= PICKLE_ATOL
    )
    return (
        f"{'PASS' if passed else 'FAIL'}: in the child, CUDA available: "
        f"{report['cuda_available']}, DeviceFallbackWarning: {report['warned']}; "
        f"max abs difference of the {len(docs)} test embeddings {difference:.1e} "
        f"(limit {PICKLE_ATOL:g})"
    )


def environ_with_root(environment: dict) -> dict:
    """``environment`` with the repository on PYTHONPATH, for the child's imports."""
    paths = [str(ROOT), environment.get("PYTHONPATH", "")]
    return {**environment, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def child(folder: pathlib.Path) -> None:
    """The child of :func:`check_pickle`: load, transform, report."""
    docs = json.loads((folder / "docs.json").read_text(encoding="utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeviceFallbackWarning)
        pipe = pickle.loads((folder / "pipeline.pkl").read_bytes())
        np.save(folder / "Z.npy", pipe.transform(docs))
    report = {
        "cuda_available": torch.cuda.is_available(),
        "warned": any(issubclass(w.category, DeviceFallbackWarning) for w in caught),
    }
    (folder / "child.json").write_text(json.dumps(report), encoding="utf-8")


def run(args: argparse.Namespace) -> harness.Report | None:
    """Run the benchmark and print the report; it is ``--output``'s."""
    if args.check_pickle is not None:
        child(args.check_pickle)
        return None

    cuda = torch.cuda.is_available()
    devices = ["cpu", "cuda"] if cuda else ["cpu"]
    info = harness.machine_info()
    info.append(
        f"GPU: {torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}"
        if cuda
        else "GPU: none (torch.cuda.is_available() is False): the GPU half is "
        "skipped, only the CPU half runs"
    )
    print("\n".join(info), flush=True)
    params = dict(args.vae_params)
    if args.max_iter is not None:
        params["max_iter"] = args.max_iter

    if not cuda:
        tests = "skipped: no CUDA device"
    elif args.skip_tests:
        tests = "skipped: --skip-tests"
    else:
        tests = run_cuda_tests()
    print(f"pytest -m cuda: {tests}", flush=True)
    warm_up(devices)

    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    print(corpus.describe(), flush=True)
    rows, pickled, reproducibility = [], None, "skipped: no CUDA device"
    for name in args.vocabularies:
        vectorizer = harness.make_named_vectorizer(VOCABULARIES[name])
        X_train, X_test = corpus.vectorize(vectorizer)
        data = (X_train, corpus.y_train, X_test, corpus.y_test)
        terms = f"{name} ({X_train.shape[1]})"
        for label in args.models:
            results = {}
            for device in devices:

                def factory(device=device, label=label):
                    model = {**MODELS[label], **params, "device": device}
                    return harness.make_vae(N_COMPONENTS, **model)

                results[device] = harness.run_model(f"{label} {device}", factory, *data)
            rows += fit_rows(terms, label, results)
            print(harness.markdown_table(HEADER, rows[-len(devices) :]), flush=True)
            fitted = results[devices[-1]]
            if pickled is None and fitted.error is None:
                pickled = (vectorizer, fitted.model)
                if cuda:
                    again = factory(device="cuda").fit(X_train)
                    difference = np.abs(
                        again.transform(X_test) - fitted.model.transform(X_test)
                    ).max()
                    reproducibility = (
                        f"{terms} terms, {label}: max abs difference of the test "
                        f"embeddings of two GPU fits with random_state=0: "
                        f"{difference:.1e}"
                    )

    table = harness.markdown_table(HEADER, rows)
    print(table)
    print(f"reproducibility on the GPU: {reproducibility}")
    pickle_check = "skipped: no model was fitted"
    if pickled is not None:
        vectorizer, model = pickled
        pipe = make_pipeline(vectorizer, model)
        Z = pipe.transform(corpus.test)
        if not cuda:
            # What a GPU-fitted model holds; the check then exercises the
            # fallback, though the model never saw a GPU.
            model.set_params(device="cuda")
        with tempfile.TemporaryDirectory() as folder:
            pickle_check = check_pickle(pipe, corpus.test, Z, pathlib.Path(folder))
        if not cuda:
            pickle_check += " (simulated: a CPU-fitted pipeline with device='cuda')"
    print(f"pickled pipeline loaded without CUDA: {pickle_check}")

    header = "\n".join(f"- {line}" for line in info)
    setup = (
        f"- {corpus.describe()}; VAEEmbedder(n_components={N_COMPONENTS}) with "
        f"{params or 'its default settings'}"
    )
    checks = "\n".join(
        [
            f"- pytest -m cuda: {tests}",
            f"- reproducibility on the GPU: {reproducibility}",
            f"- pickled pipeline loaded without CUDA: {pickle_check}",
        ]
    )
    return harness.Report([header, setup, table, checks], title="GPU benchmark")


BENCHMARK = harness.Benchmark(
    name="gpu",
    description=__doc__.splitlines()[0],
    run=run,
    options=(
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters of every model, as a JSON object",
        ),
        harness.N_DOCS,
        harness.OUTPUT,
        harness.Option("--max-iter", int, None, "cap the epochs of every fit"),
        replace(
            harness.names_option("--vocabularies", tuple(VOCABULARIES)),
            help="comma-separated subset of 2000,full (default: both)",
        ),
        harness.names_option("--models", tuple(MODELS)),
        harness.Option(
            "--skip-tests", action="store_true", help="do not run pytest -m cuda"
        ),
        harness.Option("--check-pickle", pathlib.Path, help=argparse.SUPPRESS),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
