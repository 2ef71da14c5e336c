"""Imputation benchmark: VAEEmbedder against scikit-learn's imputers on digits.

On scikit-learn's bundled ``load_digits()`` (1,797 x 64, pixel values 0..16),
a seeded share of the entries (``--missing-rate``, default 30%) is hidden as
NaN.  Every method is fitted on the whole masked matrix (transductive, like
ordinary imputation) and scored on the hidden entries only, with RMSE and MAE
in pixel units.  The methods:

- ``SimpleImputer(strategy="mean")``;
- ``KNNImputer`` with ``n_neighbors=5`` (the default) and ``n_neighbors=10``;
  the better of the two by mean RMSE is the KNN baseline of the ratio column;
- ``IterativeImputer`` (default settings; skipped for the remaining seeds once
  one run takes more than ``--iterative-budget`` CPU seconds: CPU time, so
  that other jobs on a shared machine do not decide it);
- ``VAEEmbedder(likelihood="gaussian", random_state=seed, **vae_params)``,
  imputing ``where(isnan(X), vae.inverse_transform(vae.transform(X)), X)``;
- "VAE (iterated)": the same fitted VAE, then ``--vae-iterations`` more passes
  of transform / inverse_transform, each fed the previous fill (observed
  entries are always kept).

A VAE row shows ``n/a: <error message>`` when VAEEmbedder raises (e.g. when it
does not accept NaN).  The table gives the mean ± standard deviation over the
seeds (ddof=1), the mean fit+impute time and the RMSE relative to the KNN
baseline.

Run from the repository root::

    python benchmarks/bench_imputation.py \\
        --output benchmarks/results/imputation_digits.md

Options: ``--missing-rate 0.3``, ``--seeds 0,1,2``, ``--vae-params
'{"n_components": 20, "max_iter": 300}'`` (a JSON object or Python dict
literal merged into the VAE's parameters), ``--methods mean,knn,iterative,vae``
to run a subset.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import harness
import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from threadpoolctl import threadpool_limits

from skvae import VAEEmbedder

METHOD_GROUPS = ("mean", "knn", "iterative", "vae")
KNN_NEIGHBORS = (5, 10)
MAX_ERROR_CHARS = 160

# An imputer run yields (row name, imputed matrix, seconds since the start).
Imputation = tuple[str, np.ndarray, float]
Runner = Callable[[np.ndarray, int], Iterator[Imputation]]


@dataclass
class MethodResult:
    """Scores of one table row, one entry per seed that ran."""

    name: str
    rmse: list[float] = field(default_factory=list)
    mae: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    error: str | None = None
    note: str | None = None


def hide_entries(X: np.ndarray, missing_rate: float, seed: int) -> np.ndarray:
    """Return the boolean mask of hidden entries, each hidden with ``missing_rate``.

    Rows left with no observed entry get one entry back, so that every row
    keeps something to impute from.
    """
    rng = np.random.default_rng(seed)
    mask = rng.random(X.shape) < missing_rate
    empty_rows = np.flatnonzero(mask.all(axis=1))
    mask[empty_rows, rng.integers(X.shape[1], size=empty_rows.size)] = False
    return mask


def hidden_errors(
    X_true: np.ndarray, X_imputed: np.ndarray, mask: np.ndarray
) -> tuple[float, float]:
    """RMSE and MAE of ``X_imputed`` on the hidden entries ``mask`` only."""
    residual = X_imputed[mask] - X_true[mask]
    if not np.all(np.isfinite(residual)):
        raise ValueError("the imputed matrix has non-finite values where X is NaN")
    return float(np.sqrt(np.mean(residual**2))), float(np.mean(np.abs(residual)))


def run_sklearn_imputer(make_imputer: Callable[[], object], name: str) -> Runner:
    """Wrap a scikit-learn imputer factory as a runner yielding one row."""

    def run(X_missing: np.ndarray, seed: int) -> Iterator[Imputation]:
        start = time.perf_counter()
        imputed = make_imputer().fit_transform(X_missing)
        yield name, imputed, time.perf_counter() - start

    return run


def run_iterative(X_missing: np.ndarray, seed: int) -> Iterator[Imputation]:
    """IterativeImputer with default settings, seeded.

    BLAS runs single-threaded: the regressions are small, and multi-threaded
    BLAS only burns CPU (and the budget) on a busy machine.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        imputed = IterativeImputer(random_state=seed).fit_transform(X_missing)
    yield "IterativeImputer", imputed, time.perf_counter() - start


def vae_runner(vae_params: dict, n_iterations: int) -> Runner:
    """Runner for the single-pass VAE row and the iterated VAE row."""

    def run(X_missing: np.ndarray, seed: int) -> Iterator[Imputation]:
        missing = np.isnan(X_missing)
        start = time.perf_counter()
        params = {"likelihood": "gaussian", "random_state": seed, **vae_params}
        vae = VAEEmbedder(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            vae.fit(X_missing)
        imputed = np.where(
            missing, vae.inverse_transform(vae.transform(X_missing)), X_missing
        )
        single_seconds = time.perf_counter() - start
        yield "VAE", imputed, single_seconds
        for _ in range(n_iterations):
            decoded = vae.inverse_transform(vae.transform(imputed))
            imputed = np.where(missing, decoded, X_missing)
        yield "VAE (iterated)", imputed, time.perf_counter() - start

    return run


def build_runners(
    groups: Sequence[str], vae_params: dict, vae_iterations: int
) -> list[tuple[str, list[str], Runner]]:
    """The runners to use, each with its group and the row names it yields."""
    runners: list[tuple[str, list[str], Runner]] = []
    if "mean" in groups:
        name = "SimpleImputer(mean)"
        runners.append(
            ("mean", [name], run_sklearn_imputer(lambda: SimpleImputer(), name))
        )
    if "knn" in groups:
        for k in KNN_NEIGHBORS:
            name = f"KNNImputer(n_neighbors={k})"
            runners.append(
                (
                    "knn",
                    [name],
                    run_sklearn_imputer(lambda k=k: KNNImputer(n_neighbors=k), name),
                )
            )
    if "iterative" in groups:
        runners.append(("iterative", ["IterativeImputer"], run_iterative))
    if "vae" in groups:
        runners.append(
            (
                "vae",
                ["VAE", "VAE (iterated)"],
                vae_runner(vae_params, vae_iterations),
            )
        )
    return runners


def short_error(error: BaseException) -> str:
    """The first line of an exception's message, short enough for a table cell."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    text = f"{type(error).__name__}: {lines[0]}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text


def run_benchmark(
    X: np.ndarray,
    seeds: Sequence[int],
    missing_rate: float,
    runners: list[tuple[str, list[str], Runner]],
    iterative_budget: float,
    verbose: bool = True,
) -> list[MethodResult]:
    """Run every runner on every seed's masked matrix and collect the scores."""
    results = {name: MethodResult(name) for _, names, _ in runners for name in names}
    for seed in seeds:
        mask = hide_entries(X, missing_rate, seed)
        X_missing = np.where(mask, np.nan, X)
        for group, names, runner in runners:
            if any(results[name].error or results[name].note for name in names):
                continue
            cpu_start = time.process_time()
            try:
                for name, imputed, seconds in runner(X_missing, seed):
                    rmse, mae = hidden_errors(X, imputed, mask)
                    result = results[name]
                    result.rmse.append(rmse)
                    result.mae.append(mae)
                    result.seconds.append(seconds)
                    if verbose:
                        print(
                            f"seed {seed}  {name:<28} RMSE {rmse:.4f}  "
                            f"MAE {mae:.4f}  {seconds:7.2f} s",
                            flush=True,
                        )
            except Exception as error:  # reported in the table
                message = short_error(error)
                for name in names:
                    if results[name].rmse:
                        results[name].note = f"failed on seed {seed}: {message}"
                    else:
                        results[name].error = message
                if verbose:
                    print(f"seed {seed}  {names[0]:<28} failed: {message}", flush=True)
            cpu_seconds = time.process_time() - cpu_start
            if group == "iterative" and cpu_seconds > iterative_budget:
                results[names[0]].note = (
                    f"stopped after seed {seed}: {cpu_seconds:.0f} CPU s "
                    f"> {iterative_budget:g}"
                )
    return list(results.values())


def knn_baseline(results: Sequence[MethodResult]) -> MethodResult | None:
    """The KNNImputer row with the lowest mean RMSE, if any KNN row ran."""
    knn = [r for r in results if r.name.startswith("KNNImputer") and r.rmse]
    return min(knn, key=lambda r: np.mean(r.rmse)) if knn else None


def mean_std(values: Sequence[float]) -> str:
    """``mean ± std`` (ddof=1) of the values, or just the mean for one value."""
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}"


def format_table(results: Sequence[MethodResult]) -> str:
    """The results as a markdown table, with the RMSE ratio to the KNN baseline."""
    baseline = knn_baseline(results)
    base_rmse = float(np.mean(baseline.rmse)) if baseline else None
    rows = []
    for result in results:
        name = result.name
        if baseline is not None and result is baseline:
            name += " (KNN baseline)"
        if not result.rmse:
            reason = f"n/a: {result.error}" if result.error else "n/a"
            rows.append([name, reason, "n/a", "n/a", "n/a"])
            continue
        ratio = f"{np.mean(result.rmse) / base_rmse:.3f}" if base_rmse else "n/a"
        if result.note:
            name += f" ({len(result.rmse)} seed(s); {result.note})"
        rows.append(
            [
                name,
                mean_std(result.rmse),
                mean_std(result.mae),
                f"{np.mean(result.seconds):.2f}",
                ratio,
            ]
        )
    header = ["method", "RMSE (mean ± std)", "MAE (mean ± std)", "fit+impute s"]
    return harness.markdown_table([*header, "RMSE / KNN"], rows, align="left")


def parse_seeds(text: str) -> list[int]:
    """Parse a comma-separated list of integer seeds."""
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bad --seeds {text!r}: {error}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("--seeds needs at least one seed")
    return seeds


def check(args: argparse.Namespace) -> str | None:
    """The option values out of range."""
    if not 0 < args.missing_rate < 1:
        return "--missing-rate must be in (0, 1)"
    if args.vae_iterations < 0:
        return "--vae-iterations must be >= 0"
    return None


def run(args: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the table; the report for ``--output``."""
    X = load_digits().data.astype(np.float64)
    runners = build_runners(args.methods, args.vae_params, args.vae_iterations)
    results = run_benchmark(
        X,
        args.seeds,
        args.missing_rate,
        runners,
        args.iterative_budget,
        verbose=not args.quiet,
    )
    vae_params = {"likelihood": "gaussian", "random_state": "seed", **args.vae_params}
    header = (
        f"Imputation of hidden entries, load_digits() {X.shape[0]} x {X.shape[1]}, "
        f"missing rate {args.missing_rate:g}, seeds {args.seeds}; "
        f"VAEEmbedder params {vae_params}, iterated VAE: "
        f"{args.vae_iterations} extra passes; scikit-learn {sklearn.__version__}."
    )
    table = format_table(results)
    print()
    print(header)
    print()
    print(table)
    return harness.Report([header, table])


BENCHMARK = harness.Benchmark(
    name="imputation",
    description=__doc__.splitlines()[0],
    run=run,
    check=check,
    options=(
        harness.Option("--missing-rate", float, 0.3),
        harness.Option("--seeds", parse_seeds, parse_seeds("0,1,2")),
        replace(
            harness.VAE_PARAMS,
            help="JSON object (or Python dict literal) merged into VAEEmbedder's "
            "parameters",
        ),
        harness.Option(
            "--vae-iterations",
            int,
            5,
            "extra transform/inverse_transform passes of 'VAE (iterated)'",
        ),
        harness.names_option("--methods", METHOD_GROUPS),
        harness.Option(
            "--iterative-budget",
            float,
            60.0,
            "skip IterativeImputer's remaining seeds once a run exceeds this (CPU s)",
        ),
        harness.Option("--output", Path, None, "write the markdown table here"),
        harness.Option("--quiet", action="store_true", help="no per-seed lines"),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
