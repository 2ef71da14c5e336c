"""Topic-mode speed sweep: VAEEmbedder(latent="topic") settings vs tomotopy and LDA.

Every model is fitted in the same run on the same 2,000-term count matrix as
``bench_text.py`` (``make_vectorizer("counts", max_features=2000)`` fitted on
the training documents), with ``n_components=50`` topics:

- the references, fitted first: tomotopy's LDA (200 Gibbs sweeps, 2 workers;
  :func:`harness.make_tomotopy`) and ``LatentDirichletAllocation(
  learning_method="batch")``; tomotopy is fitted again after the last
  setting, and each fit time is divided by the mean of its two fit times
  (the machine is shared: its load drifts during a run);
- each setting: a JSON object of VAEEmbedder parameters (``"threads"`` sets
  ``torch.set_num_threads`` for it instead), fitted with
  ``latent="topic"`` once per ``random_state`` of ``--seeds``.

``--split test`` fits on the training documents and measures on the test
documents, as ``bench_text.py`` does (NPMI of the top 10 terms from document
co-occurrence in the test documents, diversity of the top 25, accuracy of a
logistic regression on the topic proportions). ``--split heldout`` fits on
the first four fifths of the (shuffled) training documents and measures on
the last fifth instead, so that settings can be chosen without looking at
the test documents.

Run from the repository root::

    python benchmarks/bench_topic_speed.py --seeds 0,1,2,3 \\
        --settings '[{}, {"batch_size": 1000, "learning_rate_init": 0.005}]'

    # the same settings on Reuters R52, 20 topics, the held-out split
    python benchmarks/bench_topic_speed.py --corpus reuters-r52 \\
        --n-components 20 --split heldout --settings '[{}]'

``{}`` is the estimator's defaults. Times are wall-clock seconds on whatever
machine this is: compare only ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

import harness
import numpy as np
import torch

REFERENCE_KEYS = ("tomotopy", "lda")


def parse_settings(text: str) -> list[dict[str, Any]]:
    """Parse ``--settings``: a JSON list of VAEEmbedder parameter objects."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise argparse.ArgumentTypeError(f"not a JSON list: {text!r}") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise argparse.ArgumentTypeError(f"not a list of JSON objects: {text!r}")
    for setting in value:
        params = {k: v for k, v in setting.items() if k != "threads"}
        harness.parse_vae_params(json.dumps(params))  # checks the names
    return value


def parse_seeds(text: str) -> list[int]:
    """Parse ``--seeds``: comma-separated integers."""
    try:
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None


def _describe(setting: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"


def _matrices(args):
    """Fit and measurement matrices and labels for the chosen split."""
    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer(
        "counts-2000", max_features=args.max_features
    )
    X_train, X_test = corpus.vectorize(vectorizer)
    y_train, y_test = corpus.y_train, corpus.y_test
    if args.split == "heldout":
        cut = int(0.8 * X_train.shape[0])
        X_train, X_test = X_train[:cut], X_train[cut:]
        y_train, y_test = y_train[:cut], y_train[cut:]
    line = (
        f"data: {corpus.title} ({corpus.source}), split {args.split!r}: "
        f"fitted on {X_train.shape[0]}, measured on {X_test.shape[0]} documents, "
        f"{X_train.shape[1]} terms, n_components={args.n_components}"
    )
    vocabulary = vectorizer.get_feature_names_out()
    return X_train, y_train, X_test, y_test, vocabulary, line


def _run(label, factory, data, threads=None) -> harness.Result:
    print(f"fitting {label} ...", flush=True)
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        result = harness.run_model(label, factory, *data)
    finally:
        torch.set_num_threads(previous)
    print(f"  {result.error or f'fit {result.fit_seconds:.1f} s'}", flush=True)
    return result


def run(args: argparse.Namespace) -> harness.Report:
    """Run the sweep and print its tables; the report for ``--output``."""
    info = harness.start_run()
    X_train, y_train, X_test, y_test, vocabulary, data_line = _matrices(args)
    print(data_line)
    data = (X_train, y_train, X_test, y_test)
    k = args.n_components

    def tomotopy():
        return harness.MODELS["tomotopy"](k, vocabulary=vocabulary)

    references = {
        "tomotopy": ("tomotopy LDA (200 iterations, 2 workers)", tomotopy),
        "lda": ("LDA batch", lambda: harness.MODELS["lda"](k)),
    }
    rows = [(None, None, _run(*references[key], data)) for key in args.references]
    runs = []
    for setting in args.settings:
        params = {key: v for key, v in setting.items() if key != "threads"}
        threads = setting.get("threads")
        for seed in args.seeds:

            def factory(params=params, seed=seed):
                return harness.MODELS["vae-topic"](
                    k, vae_params={**params, "random_state": seed}
                )

            label = f'latent="topic", {_describe(setting)}'
            runs.append((_describe(setting), seed, _run(label, factory, data, threads)))
    tomotopy_seconds = [r.fit_seconds for _, _, r in rows if "tomotopy" in r.label]
    if "tomotopy" in args.references:
        again = _run("tomotopy LDA (200 iterations, 2 workers), again", tomotopy, data)
        rows.append((None, None, again))
        tomotopy_seconds.append(again.fit_seconds)
    unit = float(np.mean(tomotopy_seconds)) if tomotopy_seconds else np.nan

    table = _table([*rows, *runs], unit)
    summary = _summary(runs, unit)
    print(f"\n{table}\n\n{summary}")
    header = "\n".join(
        f"- {line}"
        for line in [
            *info,
            data_line,
            "tomotopy's fit seconds in this run: "
            + ", ".join(f"{s:.2f}" for s in tomotopy_seconds),
        ]
    )
    return harness.Report(
        [header, table, summary],
        title=f"Topic-mode speed, {harness.CORPORA[args.corpus]}",
    )


def _table(rows, unit: float) -> str:
    """One row per fit."""
    cells = []
    for setting, seed, r in rows:
        name = r.label if setting is None else setting
        if r.error is not None:
            cells.append([name, "", f"n/a: {r.error}", "", "", "", "", ""])
            continue
        cells.append(
            [
                name,
                "" if seed is None else seed,
                harness.fmt(r.fit_seconds, ".2f"),
                harness.fmt(r.fit_seconds / unit, ".2f"),
                _epochs(r),
                harness.fmt(r.npmi, ".3f"),
                harness.fmt(r.diversity, ".3f"),
                harness.fmt(r.accuracy, ".3f"),
            ]
        )
    header = [
        "model / setting",
        "seed",
        "fit s",
        "x tomotopy",
        "epochs",
        "NPMI",
        "diversity",
        "accuracy",
    ]
    return harness.markdown_table(header, cells)


def _epochs(r: harness.Result) -> str:
    """n_iter_, marked when training ran into max_iter."""
    if r.n_iter is None:
        return ""
    stopped = any(note.startswith("ConvergenceWarning") for note in r.notes)
    return f"{r.n_iter} (max_iter)" if stopped else str(r.n_iter)


def _summary(runs, unit: float) -> str:
    """Per setting: mean and range over the seeds."""
    by_setting: dict[str, list[harness.Result]] = {}
    for setting, _, r in runs:
        if r.error is None:
            by_setting.setdefault(setting, []).append(r)
    cells = []
    for setting, results in by_setting.items():

        def spread(values, spec):
            values = np.asarray(values, dtype=float)
            text = format(values.mean(), spec)
            if values.size > 1:
                text += f" ({format(values.min(), spec)}-{format(values.max(), spec)})"
            return text

        cells.append(
            [
                setting,
                len(results),
                spread([r.fit_seconds / unit for r in results], ".2f"),
                spread([r.n_iter for r in results], ".0f"),
                spread([r.npmi for r in results], ".3f"),
                spread([r.diversity for r in results], ".3f"),
                spread([r.accuracy for r in results], ".3f"),
            ]
        )
    header = [
        "setting",
        "seeds",
        "x tomotopy",
        "epochs",
        "NPMI",
        "diversity",
        "accuracy",
    ]
    return "Mean (min-max) over the seeds:\n\n" + harness.markdown_table(header, cells)


BENCHMARK = harness.Benchmark(
    name="topic_speed",
    description="Fit time, NPMI and diversity of topic-mode settings, "
    "against tomotopy and sklearn's batch LDA in the same run.",
    run=run,
    corpora=("20newsgroups",),
    vectorizers=("counts-2000",),
    models=REFERENCE_KEYS,
    scorers=("fit-seconds", "npmi", "diversity", "classification"),
    choose={"corpora": "--corpus", "models": "--references"},
    options=(
        harness.Option("--n-components", int, 50),
        harness.Option("--max-features", int, harness.MAX_FEATURES),
        harness.Option(
            "--settings",
            parse_settings,
            [{}],
            'JSON list of VAEEmbedder parameters, e.g. \'[{}, {"batch_size": '
            "1000}]'; \"threads\" sets torch's thread count (default: [{}])",
        ),
        harness.Option("--seeds", parse_seeds, "0", "e.g. 0,1,2,3"),
        harness.Option("--split", choices=("test", "heldout"), default="test"),
        replace(harness.VAE_PARAMS, help="unused"),
        harness.N_DOCS,
        harness.OUTPUT,
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
