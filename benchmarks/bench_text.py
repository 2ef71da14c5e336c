"""Topic and embedding benchmark on 20 Newsgroups: VAEEmbedder vs sklearn models.

Every model is fitted in the same run on the same document-term matrix: the
20 Newsgroups training set (:func:`skvae.datasets.load_20newsgroups`) through
``CountVectorizer(stop_words="english", max_df=0.5, min_df=5,
max_features=2000)``, with ``n_components=50``:

- ``svd``: ``TruncatedSVD(random_state=0)``;
- ``nmf``: ``NMF(init="nndsvda", random_state=0, max_iter=400)``;
- ``lda``: ``LatentDirichletAllocation(learning_method="batch",
  random_state=0, n_jobs=1)``;
- ``vae``: ``VAEEmbedder(random_state=0)`` with its default settings;
- ``vae-topic``: ``VAEEmbedder(latent="topic", random_state=0)`` (ProdLDA).

Columns of the table:

- fit s / transform s: wall-clock seconds of ``fit(X_train)`` and of
  ``transform(X_test)`` (the vectorizer is not included);
- accuracy: ``StandardScaler + LogisticRegression`` trained on
  ``transform(X_train)`` and scored on ``transform(X_test)``;
- NPMI: mean over topics of the NPMI of each topic's top-10 terms, from
  document co-occurrence in the TEST documents' count matrix;
- diversity: share of unique terms among all topics' top-25 terms;
- perplexity: ``perplexity(X_test)`` for LDA, and for VAEEmbedder when it has
  that method (lower is better; both are ELBO-based upper bounds).

A topic is a row of the model's ``components_`` (VAEEmbedder included); its top
terms are the largest entries. The 5 most coherent topics of each model are
printed under the table.

Run from the repository root::

    python benchmarks/bench_text.py --output benchmarks/results/text_20ng.md

    # a subset of the models
    python benchmarks/bench_text.py --models svd,nmf,vae

Times are from one run on whatever machine this is: compare only times
measured in the same run. LDA (batch) takes about 30-60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sklearn
import torch
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer

# The benchmarks folder is not a package: make metrics.py importable however
# the script is launched.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from metrics import (  # noqa: E402
    classification_accuracy,
    npmi_coherence,
    topic_diversity,
)

from skvae import VAEEmbedder  # noqa: E402
from skvae.datasets import load_20newsgroups  # noqa: E402

RANDOM_STATE = 0
N_NPMI_TERMS = 10
N_DIVERSITY_TERMS = 25
N_BEST_TOPICS = 5


def _make_models(n_components: int) -> dict[str, tuple[str, Callable[[], object]]]:
    """Model keys -> (table label, factory).

    Factories, not instances, so that an estimator whose constructor fails
    (e.g. a parameter not merged yet) only spoils its own row.
    """
    return {
        "svd": (
            "TruncatedSVD",
            lambda: TruncatedSVD(n_components, random_state=RANDOM_STATE),
        ),
        "nmf": (
            "NMF (nndsvda)",
            lambda: NMF(
                n_components,
                init="nndsvda",
                random_state=RANDOM_STATE,
                max_iter=400,
            ),
        ),
        "lda": (
            "LDA batch",
            lambda: LatentDirichletAllocation(
                n_components,
                learning_method="batch",
                random_state=RANDOM_STATE,
                n_jobs=1,
            ),
        ),
        "vae": (
            "VAEEmbedder",
            lambda: VAEEmbedder(n_components, random_state=RANDOM_STATE),
        ),
        "vae-topic": (
            'VAEEmbedder latent="topic"',
            lambda: VAEEmbedder(
                n_components, latent="topic", random_state=RANDOM_STATE
            ),
        ),
    }


MODEL_KEYS = ("svd", "nmf", "lda", "vae", "vae-topic")


@dataclass
class Result:
    """Measurements of one model; ``error`` is set when the model failed."""

    label: str
    fit_seconds: float = np.nan
    transform_seconds: float = np.nan
    accuracy: float = np.nan
    npmi: float = np.nan
    diversity: float = np.nan
    perplexity: float | None = None
    best_topics: list[tuple[float, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str or None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    args : argparse.Namespace
        The parsed options; ``args.models`` is a list of model keys.
    """
    parser = argparse.ArgumentParser(
        description="Compare VAEEmbedder with TruncatedSVD, NMF and LDA on "
        "20 Newsgroups: speed, classification accuracy, NPMI, topic diversity "
        "and perplexity.",
    )
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--max-features", type=int, default=2000)
    parser.add_argument(
        "--models",
        default=",".join(MODEL_KEYS),
        help=f"comma-separated subset of {','.join(MODEL_KEYS)} (default: all)",
    )
    parser.add_argument(
        "--output",
        type=pathlib.Path,
        default=None,
        help="also write the results as markdown to this file",
    )
    args = parser.parse_args(argv)
    args.models = [key.strip() for key in args.models.split(",") if key.strip()]
    unknown = sorted(set(args.models) - set(MODEL_KEYS))
    if unknown or not args.models:
        parser.error(f"--models must be a subset of {MODEL_KEYS}, got {unknown}")
    return args


def machine_info() -> list[str]:
    """One line per fact about the machine and library versions."""
    return [
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, torch {torch.__version__}",
    ]


def top_terms(components: np.ndarray, n_terms: int) -> list[np.ndarray]:
    """Column indices of each row's ``n_terms`` largest entries, largest first."""
    # Stable sort of the negated row: ties keep the vocabulary order.
    return [np.argsort(-row, kind="stable")[:n_terms] for row in components]


def run_model(
    label: str,
    factory: Callable[[], object],
    X_train,
    y_train: np.ndarray,
    X_test,
    y_test: np.ndarray,
    vocabulary: np.ndarray,
) -> Result:
    """Fit one model and measure it; any exception goes into ``Result.error``.

    Parameters
    ----------
    label : str
        Name of the model in the table.
    factory : callable
        Builds the unfitted estimator.
    X_train, X_test : sparse matrix of shape (n_documents, n_terms)
        Training and test document-term counts.
    y_train, y_test : ndarray of shape (n_documents,)
        Newsgroup labels.
    vocabulary : ndarray of str of shape (n_terms,)
        The terms, in column order.

    Returns
    -------
    result : Result
        The measurements.
    """
    result = Result(label)
    try:
        model = factory()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train)
            result.fit_seconds = time.perf_counter() - start
        # A non-converged model is still measured, but the table says so.
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                result.notes.append(f"ConvergenceWarning: {warning.message}")
            else:
                warnings.showwarning(
                    warning.message,
                    warning.category,
                    warning.filename,
                    warning.lineno,
                )
        n_iter = getattr(model, "n_iter_", None)
        if n_iter is not None:
            result.notes.append(f"n_iter_={n_iter}")

        start = time.perf_counter()
        Z_test = model.transform(X_test)
        result.transform_seconds = time.perf_counter() - start
        Z_train = model.transform(X_train)
        result.accuracy = classification_accuracy(Z_train, y_train, Z_test, y_test)

        topics = top_terms(np.asarray(model.components_), N_DIVERSITY_TERMS)
        npmi = npmi_coherence(topics, X_test, n_terms=N_NPMI_TERMS)
        result.npmi = float(np.nanmean(npmi))
        result.diversity = topic_diversity(topics, n_terms=N_DIVERSITY_TERMS)
        for k in np.argsort(-npmi, kind="stable")[:N_BEST_TOPICS]:
            terms = list(vocabulary[topics[k][:N_NPMI_TERMS]])
            result.best_topics.append((float(npmi[k]), terms))

        if hasattr(model, "perplexity"):
            result.perplexity = float(model.perplexity(X_test))
    except Exception as error:  # one broken model must not stop the run
        result.error = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return result


def _fmt(value: float | None, spec: str) -> str:
    """Format a number for the table; NaN and None give an empty cell."""
    if value is None or np.isnan(value):
        return ""
    return format(value, spec)


def results_table(results: Sequence[Result]) -> str:
    """The results as a markdown table.

    Parameters
    ----------
    results : sequence of Result
        One row per model.

    Returns
    -------
    table : str
        Markdown table, without a trailing newline.
    """
    lines = [
        "| model | fit s | transform s (test set) | accuracy | NPMI | diversity "
        "| perplexity |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.error is not None:
            error = r.error.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r.label} | n/a: {error} | | | | | |")
            continue
        cells = [
            r.label,
            _fmt(r.fit_seconds, ".2f"),
            _fmt(r.transform_seconds, ".2f"),
            _fmt(r.accuracy, ".3f"),
            _fmt(r.npmi, ".3f"),
            _fmt(r.diversity, ".3f"),
            _fmt(r.perplexity, ".0f"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def best_topics_text(results: Sequence[Result]) -> str:
    """The most coherent topics of each model, one line per topic."""
    lines = [f"Top {N_BEST_TOPICS} topics by NPMI (top {N_NPMI_TERMS} terms):"]
    for r in results:
        if r.error is not None:
            continue
        notes = f" ({'; '.join(r.notes)})" if r.notes else ""
        lines.append(f"\n{r.label}{notes}")
        for npmi, terms in r.best_topics:
            lines.append(f"- {npmi:.3f}: {' '.join(terms)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print (and optionally write) the results.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Command-line arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    info = machine_info()
    print("\n".join(info))

    train, test = load_20newsgroups("train"), load_20newsgroups("test")
    vectorizer = CountVectorizer(
        stop_words="english", max_df=0.5, min_df=5, max_features=args.max_features
    )
    X_train = vectorizer.fit_transform(train.data)
    X_test = vectorizer.transform(test.data)
    vocabulary = vectorizer.get_feature_names_out()
    data_line = (
        f"data: 20 Newsgroups ({train.source}), {X_train.shape[0]} train / "
        f"{X_test.shape[0]} test documents, {X_train.shape[1]} terms, "
        f"n_components={args.n_components}"
    )
    print(data_line)

    models = _make_models(args.n_components)
    results = []
    for key in args.models:
        label, factory = models[key]
        print(f"\nfitting {label} ...", flush=True)
        result = run_model(
            label, factory, X_train, train.target, X_test, test.target, vocabulary
        )
        status = result.error or f"fit {result.fit_seconds:.1f} s"
        print(f"  {status}", flush=True)
        results.append(result)

    table = results_table(results)
    topics = best_topics_text(results)
    print(f"\n{table}\n\n{topics}")

    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        header = "\n".join(f"- {line}" for line in [*info, data_line])
        args.output.write_text(
            f"# 20 Newsgroups text benchmark\n\n{header}\n\n{table}\n\n{topics}\n",
            encoding="utf-8",
        )
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
