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
from collections.abc import Callable, Sequence
from typing import Any

import harness
import numpy as np
import torch

from skvae.datasets import make_vectorizer
from skvae.metrics import top_term_indices

N_BEST_TOPICS = 5
MODEL_KEYS = ("svd", "nmf", "lda", "vae", "vae-topic", "tomotopy", "gensim")


def _make_models(
    n_components: int,
    vae_params: dict[str, Any],
    *,
    vocabulary: np.ndarray | None = None,
    tomotopy_iterations: int = 200,
) -> dict[str, tuple[str, Callable[[], object]]]:
    """Model keys -> (table label, factory)."""
    return {
        "svd": ("TruncatedSVD", lambda: harness.make_lsa(n_components)),
        "nmf": ("NMF (nndsvda)", lambda: harness.make_nmf(n_components)),
        "lda": ("LDA batch", lambda: harness.make_lda(n_components)),
        "vae": (
            "VAEEmbedder",
            lambda: harness.make_vae(n_components, **vae_params),
        ),
        "vae-topic": (
            'VAEEmbedder latent="topic"',
            lambda: harness.make_vae(n_components, latent="topic", **vae_params),
        ),
        "tomotopy": (
            f"tomotopy LDA ({tomotopy_iterations} iterations, 2 workers)",
            lambda: harness.make_tomotopy(
                n_components, iterations=tomotopy_iterations, vocabulary=vocabulary
            ),
        ),
        "gensim": (
            "gensim LdaMulticore (10 passes, 2 workers)",
            lambda: harness.make_gensim(n_components, vocabulary=vocabulary),
        ),
    }


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
        description="Compare VAEEmbedder with TruncatedSVD, NMF, LDA, tomotopy "
        "and gensim on 20 Newsgroups: speed, classification accuracy, NPMI, "
        "topic diversity and perplexity.",
    )
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--max-features", type=int, default=harness.MAX_FEATURES)
    parser.add_argument(
        "--tomotopy-iterations",
        type=lambda text: harness.parse_int_list(text)[0],
        default=200,
        help="Gibbs sweeps of tomotopy's train (default 200)",
    )
    parser.add_argument(
        "--torch-threads",
        type=lambda text: harness.parse_int_list(text)[0],
        default=None,
        help="torch.set_num_threads for the VAE rows (default: torch's own; on a "
        "loaded machine 1 avoids threads waiting for each other)",
    )
    harness.add_models_argument(parser, MODEL_KEYS)
    harness.add_common_arguments(
        parser,
        corpus=True,
        vae_params="VAEEmbedder parameters for both VAE rows, as a JSON object",
    )
    return parser.parse_args(argv)


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


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print (and optionally write) the results.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Command-line arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    if args.torch_threads is not None:
        torch.set_num_threads(args.torch_threads)
    info = harness.start_run()

    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    vectorizer = make_vectorizer("counts", max_features=args.max_features)
    X_train, X_test = corpus.vectorize(vectorizer)
    vocabulary = vectorizer.get_feature_names_out()
    data_line = (
        f"data: {corpus.title} ({corpus.source}), {X_train.shape[0]} train / "
        f"{X_test.shape[0]} test documents, {X_train.shape[1]} terms, "
        f"n_components={args.n_components}"
    )
    if args.vae_params:
        data_line += f", VAE parameters {args.vae_params}"
    print(data_line)

    models = _make_models(
        args.n_components,
        args.vae_params,
        vocabulary=vocabulary,
        tomotopy_iterations=args.tomotopy_iterations,
    )
    results = []
    for key in args.models:
        label, factory = models[key]
        print(f"\nfitting {label} ...", flush=True)
        result = harness.run_model(
            label, factory, X_train, corpus.y_train, X_test, corpus.y_test
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
    harness.write_markdown(
        args.output, [header, table, topics], title=f"{corpus.title} text benchmark"
    )


if __name__ == "__main__":
    main()
