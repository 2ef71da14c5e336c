"""Speed benchmark: VAEEmbedder against LatentDirichletAllocation, and scaling.

In one run, on 20 Newsgroups (:func:`skvae.datasets.load_20newsgroups`,
``CountVectorizer(stop_words="english", max_df=0.5, min_df=5,
max_features=2000)``, ``n_components=50``):

1. the machine's dense matmul rate: float32 ``torch.mm`` of two 2048 x 2048
   matrices with torch's default threads, best of several repeats;
2. ``LatentDirichletAllocation(learning_method="batch", n_jobs=1)`` and
   ``VAEEmbedder()`` with default settings: fit and transform seconds and
   their ratios, and the quality reached (test accuracy of StandardScaler +
   LogisticRegression on the embeddings, test perplexity);
3. the VAE's training FLOPs per epoch, counted from the architecture (below),
   divided by the measured seconds per epoch (fit seconds / epochs, so every
   overhead counts against it), as a share of the matmul rate;
4. where an epoch's time goes: torch's profiler over a short fit gives the
   share of wall time spent in matrix products (``mm`` / ``addmm``) and the
   rate they ran at (the profiler's own FLOP count), so the gap to the
   target is split into "matmuls below peak" and "everything else";
5. seconds per epoch against the vocabulary size (``--vocabularies``, with
   ``min_df=1``) and against the number of documents (the training set
   repeated or cut to ``--documents``), with the stored non-zeros of each
   matrix; and optionally a plot of both curves (``--plot``).

``--plot-from`` redraws the plot from a results file this script wrote
(``--output``), without measuring anything.

FLOPs counted per document (2 per multiply-add; the backward pass costs twice
the forward for weights that have an input gradient, once for the first layer,
whose input is data): the first encoder layer ``2 * nnz * width`` forward and
as much for its weight gradient; every dense layer ``6 * n_in * n_out`` (the
hidden layers, the mu and log-variance heads, the decoder).  Elementwise work
(activations, softmax, the likelihood) is not counted: it is overhead.

Run from the repository root::

    python benchmarks/bench_speed.py --output benchmarks/results/speed.md \\
        --plot docs/images/scaling.png

    # the plot alone, from the committed results
    python benchmarks/bench_speed.py --plot-from benchmarks/results/speed.md \\
        --plot docs/images/scaling.png

Times are wall-clock seconds of one run; compare only times measured in the
same run.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import re
import time
import warnings
from dataclasses import replace

import harness
import numpy as np
import scipy.sparse as sp
import torch
from harness import RANDOM_STATE, timed
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from torch.profiler import ProfilerActivity, profile

from skvae import VAEEmbedder


def matmul_gflops(size: int = 2048, repeats: int = 10) -> float:
    """Best dense float32 matmul rate of this machine, in GFLOP/s."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)  # warm-up
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def training_flops_per_epoch(vae: VAEEmbedder, X) -> float:
    """FLOPs of one training epoch of a fitted VAEEmbedder on X (see above)."""
    sizes = list(np.atleast_1d(vae.hidden_layer_sizes))
    k, n_features = vae.n_components_, vae.n_features_in_
    width = sizes[0] if sizes else k
    first_layer = 4 * X.nnz * width
    dense = list(itertools.pairwise(sizes))  # hidden layers after the first
    dense += [(sizes[-1] if sizes else width, k)] * 2  # mu and log-variance
    decoder_sizes = [k, *vae.decoder_hidden_layer_sizes, n_features]
    dense += list(itertools.pairwise(decoder_sizes))
    per_row = sum(6 * n_in * n_out for n_in, n_out in dense)
    return first_layer + X.shape[0] * per_row


def compare_with_lda(X_train, y_train, X_test, y_test, n_components, vae_params):
    """Fit/transform seconds and quality of LDA and the default VAE.

    Returns
    -------
    results : dict of str to harness.Result
        Keyed ``"LDA batch"`` and ``"VAEEmbedder"``.
    """
    factories = {
        "LDA batch": lambda: harness.make_lda(n_components),
        "VAEEmbedder": lambda: harness.make_vae(n_components, **vae_params),
    }
    results = {}
    for label, factory in factories.items():
        print(f"fitting {label} ...", flush=True)
        result = harness.run_model(label, factory, X_train, y_train, X_test, y_test)
        if result.error is not None:
            raise RuntimeError(f"{label} failed: {result.error}")
        print(f"  fit {result.fit_seconds:.1f} s", flush=True)
        results[label] = result
    return results


def epoch_seconds(X, n_components: int, n_epochs: int = 3) -> float:
    """Seconds per training epoch of the default VAE on X (after one warm-up)."""
    VAEEmbedder(n_components, max_iter=1, random_state=RANDOM_STATE).fit(X[:1000])
    vae = VAEEmbedder(n_components, max_iter=n_epochs, tol=0, random_state=0)
    _, seconds = timed(vae.fit, X)
    return seconds / vae.n_iter_


def matmul_profile(X, n_components: int, n_epochs: int = 3) -> dict[str, float]:
    """Share of a short fit's wall time spent in matrix products, and their rate.

    The profiler adds a little overhead to every operation, so the shares are
    approximate; the FLOPs are the profiler's count for ``mm`` and ``addmm``.
    """
    vae = VAEEmbedder(n_components, max_iter=n_epochs, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
            _, seconds = timed(vae.fit, X)
    products = [
        event
        for event in prof.key_averages()
        if event.key in ("aten::mm", "aten::addmm", "aten::bmm")
    ]
    matmul_seconds = sum(event.self_cpu_time_total for event in products) / 1e6
    matmul_flops = sum(event.flops for event in products)
    return {
        "share": matmul_seconds / seconds,
        "rate": matmul_flops / matmul_seconds / 1e9,
    }


def scaling_tables(docs, n_components, vocabularies, documents):
    vocabulary_rows = []
    for size in vocabularies:
        X = CountVectorizer(max_features=size).fit_transform(docs)
        seconds = epoch_seconds(X, n_components)
        vocabulary_rows.append((X.shape[1], X.shape[0], X.nnz, seconds))
        print(f"  {X.shape[1]} terms: {seconds:.2f} s/epoch", flush=True)
    X = CountVectorizer(max_features=vocabularies[0]).fit_transform(docs)
    document_rows = []
    for n_docs in documents:
        repeats = int(np.ceil(n_docs / X.shape[0]))
        X_n = sp.vstack([X] * repeats).tocsr()[:n_docs]
        seconds = epoch_seconds(X_n, n_components)
        document_rows.append((X_n.shape[1], X_n.shape[0], X_n.nnz, seconds))
        print(f"  {n_docs} documents: {seconds:.2f} s/epoch", flush=True)
    return vocabulary_rows, document_rows


def scaling_markdown(title: str, rows) -> str:
    lines = [
        f"| {title} | terms | documents | non-zeros | s / epoch | µs / non-zero |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n_features, n_docs, nnz, seconds in rows:
        value = n_features if title == "vocabulary" else n_docs
        lines.append(
            f"| {value} | {n_features} | {n_docs} | {nnz} | {seconds:.2f} "
            f"| {seconds / nnz * 1e6:.3f} |"
        )
    return "\n".join(lines)


def read_scaling_tables(path: pathlib.Path):
    """``n_components`` and the scaling rows of a results file of this script.

    The inverse of :func:`scaling_markdown`: rows of (terms, documents,
    non-zeros, seconds per epoch) of the vocabulary table and of the
    documents table, as the plot takes them.
    """
    text = path.read_text(encoding="utf-8")
    heading = re.search(r"^## Seconds per epoch .*n_components=(\d+)", text, re.M)
    if heading is None:
        raise ValueError(f"{path} has no 'Seconds per epoch' section.")
    tables: dict[str, list] = {"vocabulary": [], "documents": []}
    rows = None
    for line in text[heading.end() :].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in tables:
            rows = tables[cells[0]]
        elif rows is not None and len(cells) == 6 and cells[0].isdigit():
            n_features, n_docs, nnz = (int(cell) for cell in cells[1:4])
            rows.append((n_features, n_docs, nnz, float(cells[4])))
    if not all(tables.values()):
        raise ValueError(f"{path} lacks the vocabulary or the documents table.")
    return int(heading.group(1)), tables["vocabulary"], tables["documents"]


def log_ticks(low: float, high: float) -> list[float]:
    """Round values (1, 2, 3, 5 times a power of ten) spanning [low, high]."""
    ladder = [m * 10.0**e for e in range(-6, 7) for m in (1, 2, 3, 5)]
    start = max(v for v in ladder if v <= low * (1 + 1e-9))
    stop = min(v for v in ladder if v >= high * (1 - 1e-9))
    return [v for v in ladder if start <= v <= stop]


def plot_scaling(
    path: pathlib.Path, vocabulary_rows, document_rows, n_components: int
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, rows, column, label in (
        (axes[0], vocabulary_rows, 0, "vocabulary size (terms)"),
        (axes[1], document_rows, 1, "documents"),
    ):
        x = [row[column] for row in rows]
        y = [row[3] for row in rows]
        ax.plot(x, y, "o-")
        for xi, yi in zip(x, y, strict=True):
            ax.annotate(
                f"{yi:.2f}",
                (xi, yi),
                textcoords="offset points",
                xytext=(6, -12),
                ha="left",
                fontsize=8,
            )
        ax.set_xlabel(label)
        ax.set_ylabel("seconds per epoch")
        ax.set_xscale("log")
        ax.set_yscale("log")
        # Both axes are logarithmic, so that a straight line is a power law;
        # label the measured sizes on x and round values on y (a range within
        # one decade has no labelled power of ten).
        ax.set_xticks(x, [f"{value:,}" for value in x], rotation=30)
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ticks = log_ticks(min(y), max(y))
        ax.set_yticks(ticks, [f"{value:g}" for value in ticks])
        ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_ylim(ticks[0], ticks[-1])
        ax.margins(x=0.16)
        ax.grid(True, alpha=0.3)
    fig.suptitle(
        f"VAEEmbedder(n_components={n_components}) training, 20 Newsgroups: "
        "seconds per epoch (log-log)"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def check(args: argparse.Namespace) -> str | None:
    """The options that do not go together."""
    if args.plot_from is not None and args.plot is None:
        return "--plot-from needs --plot"
    return None


def run(args: argparse.Namespace) -> harness.Report | None:
    """Measure (or only draw ``--plot-from``); the report for ``--output``."""
    if args.plot_from is not None:
        n_components, vocabulary_rows, document_rows = read_scaling_tables(
            args.plot_from
        )
        plot_scaling(args.plot, vocabulary_rows, document_rows, n_components)
        print(f"wrote {args.plot} from {args.plot_from}")
        return None
    warnings.simplefilter("ignore", ConvergenceWarning)
    info = harness.start_run()
    gflops = matmul_gflops()
    print(f"dense float32 matmul: {gflops:.1f} GFLOP/s", flush=True)

    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    vectorizer = harness.make_named_vectorizer("counts-2000")
    X_train, X_test = corpus.vectorize(vectorizer)
    sections = [
        "\n".join(f"- {line}" for line in info),
        f"- dense float32 matmul (2048 x 2048, best of 10): {gflops:.1f} GFLOP/s",
    ]

    if not args.skip_lda:
        rows = compare_with_lda(
            X_train,
            corpus.y_train,
            X_test,
            corpus.y_test,
            args.n_components,
            args.vae_params,
        )
        lda, vae = rows["LDA batch"], rows["VAEEmbedder"]
        table = harness.markdown_table(
            ["model", "fit s", "transform s", "accuracy", "perplexity"],
            [
                [
                    label,
                    f"{row.fit_seconds:.1f}",
                    f"{row.transform_seconds:.3f}",
                    f"{row.accuracy:.3f}",
                    f"{row.perplexity:.0f}",
                ]
                for label, row in rows.items()
            ],
        )
        model = vae.model
        flops = training_flops_per_epoch(model, X_train)
        seconds_per_epoch = vae.fit_seconds / model.n_iter_
        rate = flops / seconds_per_epoch / 1e9
        summary = [
            f"- VAE fit / LDA fit: {vae.fit_seconds / lda.fit_seconds:.2f} "
            "(target <= 0.5)",
            f"- LDA transform / VAE transform: "
            f"{lda.transform_seconds / vae.transform_seconds:.1f}x (target >= 10x)",
            f"- VAE: {model.n_iter_} epochs, {seconds_per_epoch:.3f} s/epoch, "
            f"{flops / 1e9:.1f} GFLOP/epoch -> {rate:.1f} GFLOP/s = "
            f"{rate / gflops:.0%} of the matmul rate (target >= 50%)",
        ]
        products = matmul_profile(X_train, args.n_components)
        summary.append(
            f"- where the time goes (torch profiler, 3 epochs): matrix products "
            f"{products['share']:.0%} of the wall time, running at "
            f"{products['rate']:.1f} GFLOP/s = {products['rate'] / gflops:.0%} of "
            f"the matmul rate; the other {1 - products['share']:.0%} is "
            "elementwise, sparse-gather, optimizer and Python work"
        )
        sections += ["## 20 Newsgroups, 2000 terms", table, *summary]
        print("\n".join([table, *summary]), flush=True)

    print("scaling ...", flush=True)
    vocabulary_rows, document_rows = scaling_tables(
        corpus.train, args.n_components, args.vocabularies, args.documents
    )
    scaling = [
        f"## Seconds per epoch (default VAEEmbedder, n_components={args.n_components})",
        scaling_markdown("vocabulary", vocabulary_rows),
        scaling_markdown("documents", document_rows),
    ]
    sections += scaling
    print("\n\n".join(scaling))
    if args.plot is not None:
        plot_scaling(args.plot, vocabulary_rows, document_rows, args.n_components)
        print(f"wrote {args.plot}")
    return harness.Report(sections, title="Speed benchmark")


BENCHMARK = harness.Benchmark(
    name="speed",
    description=__doc__.splitlines()[0],
    run=run,
    check=check,
    options=(
        harness.Option("--n-components", int, 50),
        harness.Option(
            "--vocabularies",
            harness.parse_int_list,
            [2000, 10000, 50000],
            "comma-separated sizes",
        ),
        harness.Option(
            "--documents",
            harness.parse_int_list,
            [2500, 5000, 11293, 22586, 45172],
            "comma-separated",
        ),
        harness.Option("--skip-lda", action="store_true"),
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters of the LDA comparison, as a JSON object",
        ),
        harness.N_DOCS,
        harness.OUTPUT,
        harness.Option("--plot", pathlib.Path, None),
        harness.Option(
            "--plot-from",
            pathlib.Path,
            None,
            "draw --plot from this results file (--output of an earlier run) "
            "and measure nothing",
        ),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
