"""Real-vocabulary benchmark: VAEEmbedder against LSA, NMF and LDA, no term cap.

The vocabulary users keep, not the 2,000-term matrix of ``bench_text.py``. In
one run, on one corpus (``--corpus``: 20 Newsgroups by default, or
Reuters-21578 R52 / R8 from :mod:`skvae.datasets`), two matrices of the same
documents, both from :func:`skvae.datasets.make_vectorizer` and without
``max_features``:

- TF-IDF: ``TfidfVectorizer(sublinear_tf=True, min_df=5, stop_words="english")``;
- counts: ``CountVectorizer(min_df=5, max_df=0.5, stop_words="english")``.

The pipelines, at every ``n_components`` of ``--n-components`` (default
20, 50, 100):

- ``TF-IDF + LSA``: ``TruncatedSVD(n, random_state=0)``, the baseline an
  experienced user compares a document embedding with;
- ``TF-IDF + NMF``: ``NMF(n, init="nndsvda", random_state=0, max_iter=400)``;
- ``counts + LDA``: ``LatentDirichletAllocation(n, learning_method="batch",
  random_state=0)``;
- ``TF-IDF + VAE`` and ``counts + VAE``: ``VAEEmbedder(n, random_state=0)``
  with its default settings (and ``--vae-params``, if given);
- once, ``TF-IDF + LogisticRegression``: ``LogisticRegression(max_iter=1000)``
  on the whole TF-IDF matrix, no reduction: a ceiling.

NMF and LDA are slow on the full vocabulary, so they run only at the sizes of
``--topic-model-components`` (default 50).

Columns: fit and transform seconds (the vectorizers not included); test
accuracy of ``StandardScaler + LogisticRegression`` trained on the training
embeddings; accuracy minus LSA's at the same ``n_components``; perplexity of
the test counts (LDA, and the VAE on counts); NPMI of each topic's top-10
terms from document co-occurrence in the pipeline's own test matrix, and the
diversity of the top-25 terms (:mod:`skvae.metrics`; a topic is a row of
``components_``); the number of active latent dimensions
(``n_active_components_``, for a model that has that attribute) and the
epochs or iterations run (``n_iter_``; LogisticRegression's largest). Under
the table, the checks as PASS / FAIL lines: every VAE's accuracy at least
LSA's + 0.03, the VAE's fit time on counts at most LDA's at 50 components,
and the VAE's perplexity on counts below LDA's.

Run from the repository root::

    python benchmarks/bench_vocabulary.py \\
        --output benchmarks/results/vocabulary_20newsgroups.md
    python benchmarks/bench_vocabulary.py --corpus reuters-r52 \\
        --output benchmarks/results/vocabulary_reuters-r52.md

    # quick smoke test on a slice
    python benchmarks/bench_vocabulary.py --n-docs 1500 --vae-params '{"max_iter": 2}'

Times are wall-clock seconds of one run: compare only times measured in the
same run.
"""

from __future__ import annotations

import argparse
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import harness
from sklearn.linear_model import LogisticRegression

#: The reduced pipelines: key -> (label, vectorizer, name in harness.MODELS).
PIPELINES = {
    "lsa": ("TF-IDF + LSA", "tfidf", "lsa"),
    "nmf": ("TF-IDF + NMF", "tfidf", "nmf"),
    "lda": ("counts + LDA", "counts", "lda"),
    "vae-tfidf": ("TF-IDF + VAE", "tfidf", "vae"),
    "vae-counts": ("counts + VAE", "counts", "vae"),
}
MODEL_KEYS = ("logreg", *PIPELINES)
ACCURACY_MARGIN = 0.03
#: n_components of the fit-time and perplexity checks against LDA.
CHECK_COMPONENTS = 50


@dataclass
class Row:
    """One line of the table: a pipeline at one size, and its measurements."""

    key: str
    n_components: int | None
    result: harness.Result

    @property
    def label(self) -> str:
        """The pipeline's name in the table."""
        return self.result.label


def run_ceiling(X_train, y_train, X_test, y_test) -> harness.Result:
    """LogisticRegression on the whole TF-IDF matrix: fit time and accuracy.

    It transforms nothing, so the transform column stays empty.
    """
    result = harness.Result("TF-IDF + LogisticRegression (ceiling)")
    try:
        classifier = LogisticRegression(max_iter=1000)
        _, result.fit_seconds = harness.timed(classifier.fit, X_train, y_train)
        result.accuracy = float(classifier.score(X_test, y_test))
        result.n_iter = int(classifier.n_iter_.max())
        result.model = classifier
    except Exception as error:  # one broken model must not stop the run
        result.error = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return result


def plan(args: argparse.Namespace, vae_params: dict) -> list[tuple]:
    """The runs, in order: (key, n_components, label, matrix, factory)."""
    runs: list[tuple[str, int, str, str, Callable[[], object]]] = []
    sizes = {"nmf": args.topic_model_components, "lda": args.topic_model_components}
    for n in sorted(set(args.n_components) | set(args.topic_model_components)):
        for key, (label, matrix, model) in PIPELINES.items():
            if key in args.models and n in sizes.get(key, args.n_components):

                def factory(model=model, n=n):
                    return harness.MODELS[model](n, vae_params=vae_params)

                runs.append((key, n, label, matrix, factory))
    return runs


def _find(rows: Sequence[Row], key: str, n: int | None) -> Row | None:
    """The successful row of ``key`` at ``n_components=n``, if there is one."""
    for row in rows:
        if row.key == key and row.n_components == n and row.result.error is None:
            return row
    return None


def results_table(rows: Sequence[Row]) -> str:
    """The results as a markdown table."""
    header = [
        "pipeline",
        "n_components",
        "fit s",
        "transform s",
        "accuracy",
        "accuracy - LSA",
        "perplexity",
        "NPMI",
        "diversity",
        "active dims",
        "n_iter_",
    ]
    lines = []
    for row in rows:
        r = row.result
        n = "" if row.n_components is None else row.n_components
        if r.error is not None:
            lines.append([r.label, n, f"n/a: {r.error}", *[""] * 8])
            continue
        lsa = _find(rows, "lsa", row.n_components)
        versus = None
        if lsa is not None and row.key != "lsa":
            versus = r.accuracy - lsa.result.accuracy
        lines.append(
            [
                r.label,
                n,
                harness.fmt(r.fit_seconds, ".2f"),
                harness.fmt(r.transform_seconds, ".2f"),
                harness.fmt(r.accuracy, ".3f"),
                harness.fmt(versus, "+.3f"),
                harness.fmt(r.perplexity, ".0f"),
                harness.fmt(r.npmi, ".3f"),
                harness.fmt(r.diversity, ".3f"),
                "" if r.n_active is None else r.n_active,
                "" if r.n_iter is None else r.n_iter,
            ]
        )
    return harness.markdown_table(header, lines)


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def checks(rows: Sequence[Row]) -> list[str]:
    """The PASS / FAIL lines (n/a where a model the check needs did not run)."""
    lines = []
    for row in rows:
        if not row.key.startswith("vae"):
            continue
        name = f"{row.label} at {row.n_components}"
        lsa = _find(rows, "lsa", row.n_components)
        if row.result.error is not None or lsa is None:
            lines.append(f"n/a: {name} accuracy >= LSA + {ACCURACY_MARGIN}")
            continue
        vae_accuracy, lsa_accuracy = row.result.accuracy, lsa.result.accuracy
        lines.append(
            f"{_verdict(vae_accuracy >= lsa_accuracy + ACCURACY_MARGIN)}: {name} "
            f"accuracy {vae_accuracy:.3f} >= LSA {lsa_accuracy:.3f} + "
            f"{ACCURACY_MARGIN}"
        )

    vae = _find(rows, "vae-counts", CHECK_COMPONENTS)
    lda = _find(rows, "lda", CHECK_COMPONENTS)
    name = f"at {CHECK_COMPONENTS} on counts"
    if vae is None or lda is None:
        lines.append(f"n/a: VAE fit time <= LDA fit time {name}")
    else:
        vae_fit, lda_fit = vae.result.fit_seconds, lda.result.fit_seconds
        lines.append(
            f"{_verdict(vae_fit <= lda_fit)}: VAE fit time {vae_fit:.1f} s <= "
            f"LDA fit time {lda_fit:.1f} s {name} ({vae_fit / lda_fit:.2f}x)"
        )

    lda_sizes = sorted({row.n_components for row in rows if row.key == "lda"})
    for n in lda_sizes or [CHECK_COMPONENTS]:
        vae, lda = _find(rows, "vae-counts", n), _find(rows, "lda", n)
        name = f"at {n} on counts"
        if vae is None or lda is None:
            lines.append(f"n/a: VAE perplexity < LDA perplexity {name}")
            continue
        vae_perplexity, lda_perplexity = vae.result.perplexity, lda.result.perplexity
        lines.append(
            f"{_verdict(vae_perplexity < lda_perplexity)}: VAE perplexity "
            f"{vae_perplexity:.0f} < LDA perplexity {lda_perplexity:.0f} {name}"
        )
    return lines


def notes_text(rows: Sequence[Row]) -> str:
    """Each row's notes (convergence warnings, undefined perplexity), if any."""
    lines = []
    for row in rows:
        for note in row.result.notes:
            n = "" if row.n_components is None else f" at {row.n_components}"
            lines.append(f"- {row.label}{n}: {note}")
    return "\n".join(["Notes:", *lines]) if lines else ""


def run(args: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the results; the report for ``--output``."""
    info = harness.start_run()

    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    matrices = {
        kind: corpus.vectorize(harness.make_named_vectorizer(kind))
        for kind in ("tfidf", "counts")
    }
    data_line = (
        f"data: {corpus.describe()}; TF-IDF {matrices['tfidf'][0].shape[1]} terms, "
        f"counts {matrices['counts'][0].shape[1]} terms"
    )
    if args.vae_params:
        data_line += f"; VAE parameters {args.vae_params}"
    print(data_line, flush=True)

    rows: list[Row] = []
    if "logreg" in args.models:
        print("\nfitting TF-IDF + LogisticRegression ...", flush=True)
        X_train, X_test = matrices["tfidf"]
        result = run_ceiling(X_train, corpus.y_train, X_test, corpus.y_test)
        rows.append(Row("logreg", None, result))
        print(f"  {result.error or f'fit {result.fit_seconds:.1f} s'}", flush=True)
    for key, n, label, matrix, factory in plan(args, args.vae_params):
        print(f"\nfitting {label}, n_components={n} ...", flush=True)
        X_train, X_test = matrices[matrix]
        result = harness.run_model(
            label, factory, X_train, corpus.y_train, X_test, corpus.y_test
        )
        rows.append(Row(key, n, result))
        print(f"  {result.error or f'fit {result.fit_seconds:.1f} s'}", flush=True)

    table = results_table(rows)
    check_lines = checks(rows)
    notes = notes_text(rows)
    print(f"\n{table}\n\n" + "\n".join(check_lines) + (f"\n\n{notes}" if notes else ""))
    header = "\n".join(f"- {line}" for line in [*info, data_line])
    sections = [header, table, "\n".join(f"- {line}" for line in check_lines)]
    return harness.Report(
        sections + ([notes] if notes else []),
        title=f"{corpus.title} with its whole vocabulary",
    )


BENCHMARK = harness.Benchmark(
    name="vocabulary",
    description=__doc__.splitlines()[0],
    run=run,
    corpora=("20newsgroups",),
    vectorizers=("tfidf", "counts"),
    models=MODEL_KEYS,
    scorers=("fit-seconds", "classification", "perplexity", "npmi", "diversity"),
    choose={"models": "--models", "corpora": "--corpus"},
    options=(
        harness.Option(
            "--n-components",
            harness.parse_int_list,
            [20, 50, 100],
            "comma-separated sizes of LSA and the VAEs (default: 20,50,100)",
        ),
        harness.Option(
            "--topic-model-components",
            harness.parse_int_list,
            [CHECK_COMPONENTS],
            "comma-separated sizes of NMF and LDA (default: 50)",
        ),
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters of both VAE pipelines, as a JSON object",
        ),
        harness.N_DOCS,
        replace(
            harness.OUTPUT,
            help="also write the results as markdown, e.g. "
            "benchmarks/results/vocabulary_20newsgroups.md",
        ),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
