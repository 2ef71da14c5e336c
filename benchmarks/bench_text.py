"""Topic and embedding benchmark on 20 Newsgroups: VAEEmbedder vs sklearn models.

Every model is fitted in the same run on the same document-term matrix: the
20 Newsgroups training set (:func:`skvae.datasets.load_20newsgroups`; or
``--corpus reuters-r52`` / ``reuters-r8``) through
``CountVectorizer(stop_words="english", max_df=0.5, min_df=5,
max_features=2000)`` (``skvae.datasets.make_vectorizer("counts",
max_features=2000)``), with ``n_components=50``:

- ``svd``: ``TruncatedSVD(random_state=0)``;
- ``nmf``: ``NMF(init="nndsvda", random_state=0, max_iter=400)``;
- ``lda``: ``LatentDirichletAllocation(learning_method="batch",
  random_state=0, n_jobs=1)``;
- ``vae``: ``VAEEmbedder(random_state=0)`` with its default settings;
- ``vae-topic``: ``VAEEmbedder(latent="topic", random_state=0)`` (ProdLDA);
- ``tomotopy``: tomotopy's ``LDAModel(k=50, alpha=0.02, eta=0.02, seed=0)``,
  ``train(200, workers=2)`` (``--tomotopy-iterations`` changes the 200);
- ``gensim``: gensim's ``LdaMulticore(num_topics=50, passes=10, workers=2,
  random_state=0)``.

The two peers take documents as token lists: they are rebuilt from the same
count matrix and its vocabulary, each term repeated its count times
(:func:`harness.count_matrix_to_tokens`), so every model sees the same
counts. Their topics are ``get_topic_word_dist(k)`` / ``get_topics()``;
their document-topic proportions are tomotopy's sampled distributions of the
training documents and ``infer`` on the test documents, and gensim's
``get_document_topics(minimum_probability=0)`` (adapters
:class:`harness.TomotopyLDA` and :class:`harness.GensimLDA`). Their fit time
includes building the documents; the seconds of tomotopy's ``train`` alone
are noted under the table.

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

    # the topic models, tomotopy given 1,000 Gibbs sweeps
    python benchmarks/bench_text.py --models lda,vae-topic,tomotopy,gensim \
        --tomotopy-iterations 1000

    # quick smoke test on a slice
    python benchmarks/bench_text.py --n-docs 1500 --vae-params '{"max_iter": 2}'

Times are from one run on whatever machine this is: compare only times
measured in the same run. LDA (batch) takes about 30-60 s on 2 cores.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

import harness
import numpy as np
import torch

from skvae.metrics import top_term_indices

N_BEST_TOPICS = 5
MODEL_KEYS = ("svd", "nmf", "lda", "vae", "vae-topic", "tomotopy", "gensim")


#: The models: key -> (name in :data:`harness.MODELS`, label in the table).
MODELS = {
    "svd": ("lsa", "TruncatedSVD"),
    "nmf": ("nmf", "NMF (nndsvda)"),
    "lda": ("lda", "LDA batch"),
    "vae": ("vae", "VAEEmbedder"),
    "vae-topic": ("vae-topic", 'VAEEmbedder latent="topic"'),
    "tomotopy": ("tomotopy", "tomotopy LDA ({iterations} iterations, 2 workers)"),
    "gensim": ("gensim", "gensim LdaMulticore (10 passes, 2 workers)"),
}


def results_table(results: Sequence[harness.Result]) -> str:
    """The results as a markdown table.

    Parameters
    ----------
    results : sequence of harness.Result
        One row per model.

    Returns
    -------
    table : str
        Markdown table, without a trailing newline.
    """
    rows = []
    for r in results:
        if r.error is not None:
            rows.append([r.label, f"n/a: {r.error}", "", "", "", "", ""])
            continue
        rows.append(
            [
                r.label,
                harness.fmt(r.fit_seconds, ".2f"),
                harness.fmt(r.transform_seconds, ".2f"),
                harness.fmt(r.accuracy, ".3f"),
                harness.fmt(r.npmi, ".3f"),
                harness.fmt(r.diversity, ".3f"),
                harness.fmt(r.perplexity, ".0f"),
            ]
        )
    header = [
        "model",
        "fit s",
        "transform s (test set)",
        "accuracy",
        "NPMI",
        "diversity",
        "perplexity",
    ]
    return harness.markdown_table(header, rows)


def best_topics_text(results: Sequence[harness.Result], vocabulary: np.ndarray) -> str:
    """The most coherent topics of each model, one line per topic."""
    n_terms = harness.N_NPMI_TERMS
    lines = [f"Top {N_BEST_TOPICS} topics by NPMI (top {n_terms} terms):"]
    for r in results:
        if r.error is not None or r.topic_npmi is None:
            continue
        notes = list(r.notes)
        if r.n_iter is not None:
            notes.append(f"n_iter_={r.n_iter}")
        suffix = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"\n{r.label}{suffix}")
        top = top_term_indices(r.model, n_terms)
        for k in np.argsort(-r.topic_npmi, kind="stable")[:N_BEST_TOPICS]:
            lines.append(f"- {r.topic_npmi[k]:.3f}: {' '.join(vocabulary[top[k]])}")
    return "\n".join(lines)


def run(options: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the results; the report for ``--output``."""
    if options.torch_threads is not None:
        torch.set_num_threads(options.torch_threads)
    info = harness.start_run()

    corpus = harness.load_corpus(options.corpus, n_docs=options.n_docs)
    vectorizer = harness.make_named_vectorizer(
        "counts-2000", max_features=options.max_features
    )
    X_train, X_test = corpus.vectorize(vectorizer)
    vocabulary = vectorizer.get_feature_names_out()
    data_line = (
        f"data: {corpus.title} ({corpus.source}), {X_train.shape[0]} train / "
        f"{X_test.shape[0]} test documents, {X_train.shape[1]} terms, "
        f"n_components={options.n_components}"
    )
    if options.vae_params:
        data_line += f", VAE parameters {options.vae_params}"
    print(data_line)

    context = {
        "vae_params": options.vae_params,
        "vocabulary": vocabulary,
        "iterations": options.tomotopy_iterations,
    }
    results = []
    for key in options.models:
        name, label = MODELS[key]
        label = label.format(iterations=options.tomotopy_iterations)
        print(f"\nfitting {label} ...", flush=True)
        result = harness.run_model(
            label,
            lambda name=name: harness.MODELS[name](options.n_components, **context),
            X_train,
            corpus.y_train,
            X_test,
            corpus.y_test,
        )
        train_seconds = getattr(result.model, "train_seconds_", None)
        if result.error is None and train_seconds is not None:
            result.notes.append(f"train() {train_seconds:.2f} s of the fit")
        status = result.error or f"fit {result.fit_seconds:.1f} s"
        print(f"  {status}", flush=True)
        results.append(result)

    table = results_table(results)
    topics = best_topics_text(results, vocabulary)
    print(f"\n{table}\n\n{topics}")
    header = "\n".join(f"- {line}" for line in [*info, data_line])
    return harness.Report(
        [header, table, topics], title=f"{corpus.title} text benchmark"
    )


def _first_int(text: str) -> int:
    return harness.parse_int_list(text)[0]


BENCHMARK = harness.Benchmark(
    name="text",
    description="Compare VAEEmbedder with TruncatedSVD, NMF, LDA, tomotopy "
    "and gensim on 20 Newsgroups: speed, classification accuracy, NPMI, "
    "topic diversity and perplexity.",
    run=run,
    corpora=("20newsgroups",),
    vectorizers=("counts-2000",),
    models=tuple(MODELS),
    scorers=("fit-seconds", "classification", "npmi", "diversity", "perplexity"),
    choose={"models": "--models", "corpora": "--corpus"},
    options=(
        harness.Option("--n-components", int, 50),
        harness.Option("--max-features", int, harness.MAX_FEATURES),
        harness.Option(
            "--tomotopy-iterations",
            _first_int,
            200,
            "Gibbs sweeps of tomotopy's train (default 200)",
        ),
        harness.Option(
            "--torch-threads",
            _first_int,
            None,
            "torch.set_num_threads for the VAE rows (default: torch's own; on a "
            "loaded machine 1 avoids threads waiting for each other)",
        ),
        replace(
            harness.VAE_PARAMS,
            help="VAEEmbedder parameters for both VAE rows, as a JSON object",
        ),
        harness.N_DOCS,
        harness.OUTPUT,
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
