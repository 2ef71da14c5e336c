"""ONNX serving benchmark: onnxruntime against skvae's transform, 20 Newsgroups.

In one run, on the 20 Newsgroups 2,000-term counts
(``make_vectorizer("counts", max_features=2000)``, as float32), for the
default VAEEmbedder and ``latent="topic"`` (``n_components=50``, fitted with
one torch thread):

1. the model alone: ``skvae.onnx.to_onnx``'s graph in onnxruntime against
   ``VAEEmbedder.transform`` on the test set's sparse counts, with 1 and 2
   threads (torch's for skvae, ``intra_op_num_threads`` for onnxruntime; one
   timed call after one untimed warm-up each); onnxruntime needs dense input,
   and the densification (``X.toarray()``) is timed apart; the largest
   absolute difference between the two embeddings, on the counts and on the
   counts with 10% of the entries replaced by NaN;
2. the whole pipeline ``CountVectorizer -> VAEEmbedder -> LogisticRegression``
   converted by skl2onnx (``skvae.onnx.register_converter``), on the raw test
   strings: the share of documents that onnxruntime's tokenizer counts as
   sklearn does, the agreement of the predicted labels, the largest
   difference in class probabilities on the documents counted alike, and the
   seconds of each (2 threads);
3. the size of a serving environment: the installed files of onnxruntime and
   the packages it requires, against torch's and against everything skvae
   requires (from ``importlib.metadata``, this machine's builds; a CUDA build
   of torch adds its nvidia-* wheels).

Run from the repository root::

    python benchmarks/bench_onnx.py --output benchmarks/results/onnx.md

    # quick smoke test on a slice
    python benchmarks/bench_onnx.py --n-docs 500 --vae-params '{"max_iter": 5}'
"""

from __future__ import annotations

import argparse
import importlib.metadata
import locale
import os
import re
import time
import warnings
from collections.abc import Sequence
from dataclasses import replace

import harness
import numpy as np
import onnxruntime
import skl2onnx
import torch
from harness import timed
from packaging.requirements import Requirement
from skl2onnx.common.data_types import StringTensorType
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvae.onnx import INPUT_NAME, OUTPUT_NAME, register_converter, to_onnx

N_COMPONENTS = 50
THREADS = (1, 2)
MODELS = {"default": {}, 'latent="topic"': {"latent": "topic"}}
MISSING_RATE = 0.1
#: Serving environments: the distributions each starts from.
ENVIRONMENTS = {
    "onnxruntime": ["onnxruntime"],
    "torch": ["torch"],
    "skvae's requirements": None,  # read from skvae's metadata
}

MODEL_HEADER = [
    "model",
    "threads",
    "skvae transform s",
    "onnxruntime s",
    "densify s",
    "max abs diff",
    f"max abs diff, {MISSING_RATE:.0%} NaN",
]
PIPELINE_HEADER = [
    "model",
    "documents counted alike",
    "labels agreeing",
    "max abs diff of probabilities (alike)",
    "sklearn pipeline s",
    "onnxruntime s",
]
SIZE_HEADER = ["serving with", "installed MiB", "packages", "largest (MiB)"]


def session(model, n_threads: int) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = n_threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def warm_timed(function, *args):
    """``function(*args)`` once untimed, then once timed."""
    function(*args)
    return timed(function, *args)


def model_rows(label, vae, X_test, rng) -> list[list[str]]:
    """Rows of the model table: transform against onnxruntime, per thread count."""
    model, export_seconds = timed(to_onnx, vae)
    print(f"{label}: exported in {export_seconds:.2f} s", flush=True)
    dense, densify_seconds = timed(X_test.toarray)
    missing = dense.copy()
    missing[rng.uniform(size=dense.shape) < MISSING_RATE] = np.nan
    previous = torch.get_num_threads()
    rows = []
    for n_threads in THREADS:
        torch.set_num_threads(n_threads)
        ort = session(model, n_threads)

        def run(X, ort=ort):
            return ort.run([OUTPUT_NAME], {INPUT_NAME: X})[0]

        Z, skvae_seconds = warm_timed(vae.transform, X_test)
        Z_onnx, onnx_seconds = warm_timed(run, dense)
        difference = np.abs(Z_onnx - Z).max()
        difference_nan = np.abs(run(missing) - vae.transform(missing)).max()
        rows.append(
            [
                label,
                n_threads,
                f"{skvae_seconds:.3f}",
                f"{onnx_seconds:.3f}",
                f"{densify_seconds:.3f}",
                f"{difference:.1e}",
                f"{difference_nan:.1e}",
            ]
        )
        print(harness.markdown_table(MODEL_HEADER, rows[-1:]), flush=True)
    torch.set_num_threads(previous)
    return rows


def string_locale() -> str:
    """A UTF-8 locale this machine has, for onnxruntime's lower-casing."""
    current = locale.setlocale(locale.LC_CTYPE)
    try:
        for name in ("en_US.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_CTYPE, name)
            except locale.Error:
                continue
            return name
    finally:
        locale.setlocale(locale.LC_CTYPE, current)
    raise RuntimeError("no UTF-8 locale installed (en_US.UTF-8 or C.UTF-8)")


def pipeline_row(label, vectorizer, vae, Z_train, y_train, docs) -> list[str]:
    """The row of the pipeline table: skl2onnx's whole pipeline on raw strings."""
    classifier = LogisticRegression(max_iter=1000).fit(Z_train, y_train)
    pipe = make_pipeline(vectorizer, vae, classifier)
    options = {CountVectorizer: {"locale": string_locale()}}
    initial_types = [("text", StringTensorType([None, 1]))]
    model = skl2onnx.to_onnx(
        pipe,
        initial_types=initial_types,
        options={**options, LogisticRegression: {"zipmap": False}},
    )
    counter = skl2onnx.to_onnx(
        make_pipeline(vectorizer), initial_types=initial_types, options=options
    )
    strings = np.array(docs, dtype=object).reshape(-1, 1)
    n_threads = max(THREADS)
    ort = session(model, n_threads)
    (labels, probabilities), onnx_seconds = warm_timed(ort.run, None, {"text": strings})
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    expected, sklearn_seconds = warm_timed(pipe.predict_proba, docs)
    torch.set_num_threads(previous)
    counts = session(counter, n_threads).run(None, {"text": strings})[0]
    alike = np.all(counts == vectorizer.transform(docs).toarray(), axis=1)
    difference = np.abs(probabilities - expected)[alike].max()
    return [
        label,
        f"{alike.mean():.1%}",
        f"{np.mean(labels == pipe.predict(docs)):.1%}",
        f"{difference:.1e}",
        f"{sklearn_seconds:.3f}",
        f"{onnx_seconds:.3f}",
    ]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def closure(roots: Sequence[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``roots`` need, with their requirements."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    pending = [_name(root) for root in roots]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen[name] = distribution
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(_name(requirement.name))
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def installed_bytes(distribution: importlib.metadata.Distribution) -> int:
    """Size of the files a distribution's RECORD lists that exist on disk."""
    total = 0
    for file in distribution.files or []:
        path = file.locate()
        if path.is_file():
            total += path.stat().st_size
    return total


def size_rows() -> list[list[str]]:
    rows = []
    for label, roots in ENVIRONMENTS.items():
        if roots is None:
            roots = [
                Requirement(text).name
                for text in importlib.metadata.requires("skvae") or []
                if Requirement(text).marker is None
            ]
        distributions = closure(roots)
        sizes = {d.metadata["Name"]: installed_bytes(d) for d in distributions}
        largest = sorted(sizes.items(), key=lambda item: -item[1])[:4]
        rows.append(
            [
                label,
                f"{sum(sizes.values()) / 2**20:.0f}",
                len(sizes),
                ", ".join(f"{name} {size / 2**20:.0f}" for name, size in largest),
            ]
        )
    return rows


def run(args: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the tables; the report for ``--output``."""
    torch.set_num_threads(1)
    info = harness.machine_info()
    harness.warm_up_torch()
    info.append(
        f"onnxruntime {onnxruntime.__version__}, skl2onnx {skl2onnx.__version__}"
    )
    # The machine may be shared: the load says how far to trust the times.
    info.append(
        "load average at the start: {:.1f}, {:.1f}, {:.1f}".format(*os.getloadavg())
    )
    print("\n".join(info))
    register_converter()

    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer("counts-2000")
    X_train, X_test = (X.astype(np.float32) for X in corpus.vectorize(vectorizer))
    print(corpus.describe(), flush=True)
    rng = np.random.default_rng(harness.RANDOM_STATE)

    model_table, pipeline_table, fits = [], [], []
    for label, params in MODELS.items():
        vae = harness.make_vae(N_COMPONENTS, **{**params, **args.vae_params})
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            Z_train = vae.fit_transform(X_train)
        converged = not any(w.category is ConvergenceWarning for w in caught)
        fits.append(
            f"{label}: {vae.n_iter_} epochs"
            f"{'' if converged else ' (max_iter reached)'}, "
            f"fit {time.perf_counter() - start:.0f} s"
        )
        print(fits[-1], flush=True)
        model_table += model_rows(label, vae, X_test, rng)
        pipeline_table.append(
            pipeline_row(label, vectorizer, vae, Z_train, corpus.y_train, corpus.test)
        )
        print(harness.markdown_table(PIPELINE_HEADER, pipeline_table[-1:]))

    sizes = harness.markdown_table(SIZE_HEADER, size_rows())
    print(sizes)
    header = "\n".join(f"- {line}" for line in info)
    setup = (
        f"- {corpus.describe()}; {X_train.shape[1]} terms, float32 counts; "
        f"VAEEmbedder(n_components={N_COMPONENTS}) with "
        f"{args.vae_params or 'its default settings'}, fitted with one torch "
        f"thread: {'; '.join(fits)}"
    )
    return harness.Report(
        [
            header,
            setup,
            "## The model: onnxruntime against transform (test set, sparse counts)",
            harness.markdown_table(MODEL_HEADER, model_table),
            "## The pipeline: CountVectorizer -> VAEEmbedder -> LogisticRegression",
            harness.markdown_table(PIPELINE_HEADER, pipeline_table),
            "## Installed size of the serving environment",
            sizes,
        ],
        title="ONNX serving benchmark",
    )


BENCHMARK = harness.Benchmark(
    name="onnx",
    description=__doc__.splitlines()[0],
    run=run,
    options=(
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters of both models, as a JSON object",
        ),
        harness.N_DOCS,
        harness.OUTPUT,
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
