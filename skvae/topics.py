"""After the fit: shaping, explaining and tracking the topics of a topic model.

Every function takes a fitted topic model: a :class:`~skvae.VAEEmbedder`
fitted with ``latent="topic"``, a :class:`MergedTopics`, or a fitted
:class:`~sklearn.pipeline.Pipeline` whose last step is one of these (then
``X`` is whatever the pipeline takes, e.g. raw documents, and the terms are
the vectorizer's feature names).

- Fewer topics without refitting: :func:`merge_topics` (named groups) and
  :func:`reduce_topics` (to ``n_topics`` by similarity) return a model that
  still transforms, scores and has ``components_``: :class:`MergedTopics`.
- How the topics join up: :func:`topic_linkage` (a scipy linkage of the
  topic-term distributions) and :func:`plot_topic_hierarchy` (a dendrogram
  labelled by top terms).
- Prevalence over time, with the posterior's uncertainty:
  :func:`topics_over_time` and :func:`plot_topics_over_time`.
- Readable labels and typical documents: :func:`topic_labels` and
  :func:`representative_documents`.
- Visual exploration: :func:`to_pyldavis` (pyLDAvis's intertopic distance map
  and term relevance; ``pip install pyLDAvis``), and the static
  :func:`plot_intertopic_map` and :func:`plot_document_map`.

A topic's term distribution is what the decoder gives for a document made of
that topic alone (proportions one-hot on it): for ProdLDA the softmax of its
batch-normalised logits. Distances between topics are Jensen-Shannon
distances of these distributions, as in pyLDAvis.

The plots need matplotlib (``pip install matplotlib``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import cut_tree, dendrogram, linkage
from scipy.spatial.distance import pdist, squareform
from scipy.special import softmax
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_scalar

from ._embedder import (
    VAEEmbedder,
    fitted_state,
    posterior_parameters,
    restore_fitted,
)
from ._model.state import FittedState

__all__ = [
    "MergedTopics",
    "merge_topics",
    "plot_document_map",
    "plot_intertopic_map",
    "plot_topic_hierarchy",
    "plot_topics_over_time",
    "reduce_topics",
    "representative_documents",
    "to_pyldavis",
    "topic_labels",
    "topic_linkage",
    "topic_term_distributions",
    "topics_over_time",
]

_DECODER_WEIGHT = "decoder.linear.weight"
_SEED_WEIGHTS = "latent.seed_weights"


# ------------------------------------------------------------ the model


def _check_topic_estimator(estimator) -> None:
    """Raise unless ``estimator`` is a fitted topic model skvae can shape."""
    if isinstance(estimator, MergedTopics):
        check_is_fitted(estimator)
        return
    if not isinstance(estimator, VAEEmbedder):
        raise TypeError(
            "Expected a VAEEmbedder fitted with latent='topic', a MergedTopics, or "
            f"a Pipeline ending in one; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    if estimator.latent != "topic":
        raise ValueError(
            "These tools need a topic model: a VAEEmbedder fitted with "
            f"latent='topic'; this one has latent={estimator.latent!r}, whose "
            "dimensions are not topics."
        )


def _split(model):
    """(topic estimator, the steps before it or None) of a model or Pipeline."""
    if isinstance(model, Pipeline):
        check_is_fitted(model)
        estimator = model.steps[-1][1]
        _check_topic_estimator(estimator)
        return estimator, (model[:-1] if len(model.steps) > 1 else None)
    _check_topic_estimator(model)
    return model, None


def _rows(model, X):
    """X as the topic estimator's input (through the pipeline's first steps)."""
    _, before = _split(model)
    return X if before is None else before.transform(X)


def _terms(model, feature_names=None) -> np.ndarray:
    estimator, before = _split(model)
    if feature_names is not None:
        names = np.asarray(feature_names, dtype=object)
    elif before is not None and hasattr(before, "get_feature_names_out"):
        names = np.asarray(before.get_feature_names_out(), dtype=object)
    elif hasattr(estimator, "feature_names_in_"):
        names = np.asarray(estimator.feature_names_in_, dtype=object)
    else:
        raise ValueError(
            "The model has no feature names: fit it in a Pipeline after a "
            "vectorizer, on a DataFrame, or pass feature_names."
        )
    if names.shape != (estimator.n_features_in_,):
        raise ValueError(
            f"feature_names has {names.size} terms but the model has "
            f"{estimator.n_features_in_} features."
        )
    return names


def _with_last_step(model, estimator):
    """``estimator``, or ``model`` with its last step replaced by it."""
    if not isinstance(model, Pipeline):
        return estimator
    steps = list(model.steps[:-1]) + [(model.steps[-1][0], estimator)]
    return Pipeline(steps, memory=model.memory, verbose=model.verbose)


class MergedTopics(TransformerMixin, BaseEstimator):
    """A fitted topic-mode VAEEmbedder whose topics are merged into groups.

    The topics of a group are merged into one: its proportion is the sum of
    theirs, and its term weights are their prevalence-weighted mean. The
    result is still a ProdLDA model: a topic model with fewer topics whose
    decoder is the same kind of product of experts, so that
    :meth:`transform`, :meth:`score`, :meth:`perplexity` and
    ``components_`` keep their meaning. The encoder is unchanged, so no
    refit is needed. Use :func:`merge_topics` and :func:`reduce_topics`
    rather than this class directly; they also handle pipelines.

    Parameters
    ----------
    estimator : VAEEmbedder
        A VAEEmbedder fitted with ``latent="topic"``, a linear decoder and
        untied weights (the defaults).
    groups : sequence of sequence of int
        Topics to merge, each group a list of topic indices. Each topic is in
        at most one group; topics named in no group stay as they are, after
        the groups.

    Attributes
    ----------
    estimator_ : VAEEmbedder
        A copy of ``estimator`` whose decoder gives every topic of a group the
        group's term weights: the merged model, over the original topics.
    groups_ : tuple of tuple of int
        The original topics of each merged topic, singletons included.
    assignment_ : ndarray of shape (n_original_topics, n_merged_topics)
        1 where an original topic belongs to a merged topic:
        ``transform(X) == estimator_.transform(X) @ assignment_``.
    topic_weights_ : ndarray of shape (n_original_topics,)
        Mean proportion of each original topic in the documents passed to
        :meth:`fit`, which weights the merge.
    components_ : ndarray of shape (n_merged_topics, n_features)
        Term weights of the merged topics, as ``VAEEmbedder.components_``.
    n_components_ : int
        Number of merged topics.
    n_features_in_ : int
        Number of features (terms).
    feature_names_in_ : ndarray of shape (n_features,)
        The terms, when ``estimator`` has them.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.topics import MergedTopics
    >>> X = np.random.RandomState(0).poisson(0.3, size=(200, 40))
    >>> vae = VAEEmbedder(6, latent="topic", max_iter=5, random_state=0).fit(X)
    >>> merged = MergedTopics(vae, [[0, 1], [2, 3, 4]]).fit(X)
    >>> merged.n_components_, merged.transform(X[:2]).shape
    (3, (2, 3))
    >>> bool(np.allclose(merged.transform(X).sum(axis=1), 1.0))
    True
    """

    def __init__(self, estimator, groups):
        self.estimator = estimator
        self.groups = groups

    def fit(self, X, y=None):
        """Merge the topics, weighting each by its mean proportion in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Documents (term counts) whose topic proportions weight the merge,
            typically the training documents.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : MergedTopics
            The fitted model.
        """
        estimator = self.estimator
        _check_topic_estimator(estimator)
        if isinstance(estimator, MergedTopics):
            raise TypeError(
                "Merge the topics of the original VAEEmbedder: pass its groups "
                "of original topics (MergedTopics.groups_ lists them)."
            )
        state = fitted_state(estimator)
        spec = state.spec
        if spec.tied_weights or spec.decoder_hidden_layer_sizes:
            raise ValueError(
                "Merging topics needs a linear decoder with its own weights: "
                "this model has tied_weights=True or decoder_hidden_layer_sizes."
            )
        n_topics = spec.n_components
        groups = _check_groups(self.groups, n_topics)
        weights = estimator.transform(X).mean(axis=0).astype(np.float64)

        merged = dict(state.weights)
        merged[_DECODER_WEIGHT] = _merge_columns(
            state.weights[_DECODER_WEIGHT].T, groups, weights
        ).T
        if merged.get(_SEED_WEIGHTS) is not None:
            merged[_SEED_WEIGHTS] = _merge_columns(
                state.weights[_SEED_WEIGHTS], groups, weights
            )
        self.estimator_ = restore_fitted(
            clone(estimator),
            FittedState(spec, merged),
            estimator.n_iter_,
            estimator.components_.dtype,
        )
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                setattr(self.estimator_, name, getattr(estimator, name))
                setattr(self, name, getattr(estimator, name))
        self.groups_ = groups
        self.topic_weights_ = weights
        self.assignment_ = np.zeros((n_topics, len(groups)))
        for merged_topic, group in enumerate(groups):
            self.assignment_[list(group), merged_topic] = 1.0
        # Members of a group share their weights: any one stands for it.
        first = [group[0] for group in groups]
        self.components_ = self.estimator_.components_[first]
        self.n_components_ = len(groups)
        return self

    def transform(self, X):
        """Proportions of the merged topics (sums of their members').

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Documents.

        Returns
        -------
        theta : ndarray of shape (n_samples, n_merged_topics)
            Topic proportions; each row sums to 1.
        """
        check_is_fitted(self)
        theta = self.estimator_.transform(X)
        return (theta @ self.assignment_).astype(theta.dtype, copy=False)

    def inverse_transform(self, X):
        """Expected counts of documents with the given merged proportions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_merged_topics)
            Merged topic proportions.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            As :meth:`VAEEmbedder.inverse_transform`.
        """
        check_is_fitted(self)
        X = np.asarray(X, dtype=np.float64)
        # Within a group every member has the group's term weights, so any
        # split of its proportion decodes alike: spread it by prevalence.
        spread = self.assignment_.T * self.topic_weights_
        spread /= np.maximum(spread.sum(axis=1, keepdims=True), 1e-300)
        return self.estimator_.inverse_transform(X @ spread)

    def score_samples(self, X):
        """ELBO of each document under the merged model (beta = 1)."""
        check_is_fitted(self)
        return self.estimator_.score_samples(X)

    def score(self, X, y=None):
        """Mean ELBO of X under the merged model (beta = 1)."""
        check_is_fitted(self)
        return self.estimator_.score(X)

    def perplexity(self, X, *, n_samples=None):
        """Per-word perplexity of X, as :meth:`VAEEmbedder.perplexity`."""
        check_is_fitted(self)
        return self.estimator_.perplexity(X, n_samples=n_samples)

    def get_feature_names_out(self, input_features=None):
        """Names of the merged topics: ``mergedtopics0``, ``mergedtopics1``..."""
        check_is_fitted(self)
        return np.array([f"mergedtopics{i}" for i in range(self.n_components_)])


def _check_groups(groups, n_topics: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(groups, str) or not hasattr(groups, "__iter__"):
        raise ValueError(f"groups must be a list of lists of topics; got {groups!r}.")
    checked: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for group in groups:
        if isinstance(group, str) or not hasattr(group, "__iter__"):
            raise ValueError(f"Each group must be a list of topics; got {group!r}.")
        members = []
        for topic in group:
            if not isinstance(topic, numbers.Integral) or not 0 <= topic < n_topics:
                raise ValueError(
                    f"Topic {topic!r} is not a topic index in [0, {n_topics})."
                )
            if topic in seen:
                raise ValueError(f"Topic {topic} is in more than one group.")
            seen.add(int(topic))
            members.append(int(topic))
        if not members:
            raise ValueError("A group of topics is empty.")
        checked.append(tuple(members))
    checked += [(topic,) for topic in range(n_topics) if topic not in seen]
    return tuple(checked)


def _merge_columns(rows: np.ndarray, groups, weights: np.ndarray) -> np.ndarray:
    """Rows (one per topic) with each group's rows set to their weighted mean."""
    merged = np.array(rows, dtype=np.float64)
    for group in groups:
        members = list(group)
        w = weights[members] + 1e-12  # a topic no document uses still counts
        merged[members] = (w / w.sum()) @ merged[members]
    return merged.astype(rows.dtype, copy=False)


def merge_topics(model, groups, X):
    """Merge named groups of topics into one topic each, without refitting.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        A fitted topic-mode VAEEmbedder, or a Pipeline ending in one.
    groups : sequence of sequence of int
        The topics to merge, a list of topic indices per new topic; topics in
        no group stay as they are (after the merged ones).
    X : array-like or sparse matrix
        Documents, as the model takes them, whose topic proportions weight
        the merge (typically the training documents).

    Returns
    -------
    merged : MergedTopics or Pipeline
        A fitted :class:`MergedTopics`, or the Pipeline with it as last step.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.topics import merge_topics
    >>> X = np.random.RandomState(0).poisson(0.3, size=(200, 40))
    >>> vae = VAEEmbedder(6, latent="topic", max_iter=5, random_state=0).fit(X)
    >>> merge_topics(vae, [[0, 5]], X).groups_
    ((0, 5), (1,), (2,), (3,), (4,))
    """
    estimator, _ = _split(model)
    merged = MergedTopics(estimator, groups).fit(_rows(model, X))
    return _with_last_step(model, merged)


def reduce_topics(model, n_topics: int, X):
    """Reduce the model to ``n_topics`` topics by merging the most similar.

    The topics are joined by :func:`topic_linkage` (average linkage of the
    Jensen-Shannon distances of their term distributions), and the tree is
    cut into ``n_topics`` groups, each merged as in :func:`merge_topics`.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        A fitted topic-mode VAEEmbedder, or a Pipeline ending in one.
    n_topics : int
        Number of topics to keep, between 1 and the model's number of topics.
    X : array-like or sparse matrix
        Documents, as the model takes them, that weight the merge.

    Returns
    -------
    reduced : MergedTopics or Pipeline
        A fitted :class:`MergedTopics` with ``n_topics`` topics, or the
        Pipeline with it as last step.
    """
    estimator, _ = _split(model)
    n_original = estimator.n_components_
    if (
        not isinstance(n_topics, numbers.Integral)
        or isinstance(n_topics, bool)
        or not 1 <= n_topics <= n_original
    ):
        raise ValueError(
            f"n_topics must be an integer in [1, {n_original}]; got {n_topics!r}."
        )
    labels = cut_tree(topic_linkage(model), n_clusters=int(n_topics)).ravel()
    groups = [np.flatnonzero(labels == label).tolist() for label in np.unique(labels)]
    return merge_topics(model, groups, X)


# --------------------------------------------------------- similarities


def topic_term_distributions(model) -> np.ndarray:
    """Each topic's distribution over the terms.

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model.

    Returns
    -------
    distributions : ndarray of shape (n_topics, n_features)
        Row k is p(term | topic k alone); each row sums to 1.
    """
    estimator, _ = _split(model)
    expected = estimator.inverse_transform(np.eye(estimator.n_components_))
    expected = np.asarray(expected, dtype=np.float64)
    return expected / expected.sum(axis=1, keepdims=True)


def _topic_distances(model) -> np.ndarray:
    return pdist(topic_term_distributions(model), metric="jensenshannon")


def topic_linkage(model, *, method: str = "average") -> np.ndarray:
    """A hierarchy of the topics: how they join up, closest first.

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model with at least two topics.
    method : str, default="average"
        Linkage method of :func:`scipy.cluster.hierarchy.linkage`.

    Returns
    -------
    Z : ndarray of shape (n_topics - 1, 4)
        A scipy linkage matrix over the Jensen-Shannon distances of the
        topics' term distributions: row i joins clusters ``Z[i, 0]`` and
        ``Z[i, 1]`` at distance ``Z[i, 2]`` (indices below ``n_topics`` are
        topics); use it with :func:`scipy.cluster.hierarchy.dendrogram` or
        ``fcluster``.
    """
    distances = _topic_distances(model)
    if distances.size == 0:
        raise ValueError("A topic hierarchy needs at least two topics.")
    return linkage(distances, method=method)


# ----------------------------------------------------- labels and documents


def topic_labels(
    model, n_terms: int = 3, *, feature_names=None, separator: str = ", "
) -> list[str]:
    """A short readable label per topic, from its top terms.

    The label joins the topic's ``n_terms`` highest-weighted terms, with
    phrases first: a multi-word term (an n-gram, when the vectorizer makes
    them) among the topic's top ``2 * n_terms`` terms takes the place of the
    single words it contains, so "space station" replaces "space" and
    "station".

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model with feature names (see the module docstring).
    n_terms : int, default=3
        Terms per label.
    feature_names : array-like of str, default=None
        The terms, for a model fitted on an array without them.
    separator : str, default=", "
        Between the terms of a label.

    Returns
    -------
    labels : list of str
        One label per topic.
    """
    estimator, _ = _split(model)
    terms = _terms(model, feature_names)
    labels = []
    for weights in np.asarray(estimator.components_):
        ranked = [terms[i] for i in np.argsort(-weights, kind="stable")]
        head = ranked[: 2 * n_terms]
        phrases = [term for term in head if " " in term]
        covered = {word for phrase in phrases for word in phrase.split()}
        chosen = [t for t in head if " " in t or t not in covered][:n_terms]
        labels.append(separator.join(chosen))
    return labels


def representative_documents(model, X, *, n_docs: int = 5, documents=None):
    """The documents most typical of each topic: those it dominates most.

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model.
    X : array-like or sparse matrix
        Documents, as the model takes them.
    n_docs : int, default=5
        Documents per topic.
    documents : sequence of str, default=None
        The texts to show; by default ``X`` itself when it is a list of
        strings (a Pipeline's raw documents).

    Returns
    -------
    frame : pandas.DataFrame
        One row per topic and rank, with columns ``topic``, ``rank``,
        ``document`` (row index in X), ``proportion`` (the topic's share of
        the document) and, when texts are known, ``text``.
    """
    import pandas as pd

    theta = model.transform(X)
    if documents is None and isinstance(X, (list, tuple)) and X:
        documents = X if isinstance(X[0], str) else None
    n_docs = min(int(n_docs), theta.shape[0])
    rows = []
    for topic in range(theta.shape[1]):
        order = np.argsort(-theta[:, topic], kind="stable")[:n_docs]
        for rank, document in enumerate(order):
            row = {
                "topic": topic,
                "rank": rank,
                "document": int(document),
                "proportion": float(theta[document, topic]),
            }
            if documents is not None:
                row["text"] = documents[document]
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------- over time


def _proportion_draws(model, X, n_draws: int, random_state):
    """Topic proportions of every document under ``n_draws`` posterior draws.

    Yields arrays of shape (n_documents, n_topics), one per draw.
    """
    estimator, _ = _split(model)
    base = estimator.estimator_ if isinstance(estimator, MergedTopics) else estimator
    mu, log_var = posterior_parameters(base, _rows(model, X))
    std = np.exp(0.5 * log_var)
    rng = check_random_state(random_state)
    for _ in range(n_draws):
        theta = softmax(mu + std * rng.standard_normal(mu.shape), axis=1)
        if isinstance(estimator, MergedTopics):
            theta = theta @ estimator.assignment_
        yield theta


def topics_over_time(
    model,
    X,
    timestamps,
    *,
    bins=10,
    n_draws: int = 100,
    interval: float = 0.9,
    random_state=0,
):
    """Each topic's prevalence per time bin, with a posterior uncertainty band.

    The prevalence of a topic in a bin is the mean of its proportion over the
    bin's documents, estimated from the model's posterior: each of
    ``n_draws`` draws takes, for every document, topic proportions drawn from
    its posterior q(theta | x), and resamples the bin's documents with
    replacement (a bootstrap). The prevalence is the mean over the draws and
    the band their central ``interval``, so that it reflects both how sure
    the model is of each document and how many documents the bin holds. A
    point estimate, such as a count model's, has no such band. (Proportions
    drawn from the posterior are less peaked than those of ``transform``,
    which are taken at the posterior mean, so the prevalences are a little
    closer to uniform than ``transform(X).mean(axis=0)``.)

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model.
    X : array-like or sparse matrix
        Documents, as the model takes them.
    timestamps : array-like of shape (n_documents,)
        When (or where on any ordered covariate) each document lies: numbers
        or numpy datetime64 values.
    bins : int or array-like, default=10
        Number of equal-width bins over the range of ``timestamps``, or the
        bin edges (as :func:`numpy.histogram_bin_edges` takes them).
    n_draws : int, default=100
        Posterior draws for the band.
    interval : float, default=0.9
        Probability mass of the band (0.9: from the 5th to the 95th
        percentile of the draws).
    random_state : int, RandomState instance or None, default=0
        Seeds the draws.

    Returns
    -------
    frame : pandas.DataFrame
        One row per bin and topic: ``bin`` (index), ``start`` and ``end``
        (the bin's edges, in the timestamps' type), ``topic``,
        ``n_documents``, ``prevalence``, ``lower`` and ``upper`` (the band;
        NaN for an empty bin).
    """
    import pandas as pd

    timestamps = np.asarray(timestamps)
    n_rows = _n_rows(X)
    if timestamps.ndim != 1 or timestamps.shape[0] != n_rows:
        raise ValueError(
            f"timestamps must hold one value per document: X has {n_rows} "
            f"documents, timestamps has shape {timestamps.shape}."
        )
    check_scalar(n_draws, "n_draws", numbers.Integral, min_val=1)
    if not 0 < interval < 1:
        raise ValueError(f"interval must be in (0, 1); got {interval!r}.")
    is_time = np.issubdtype(timestamps.dtype, np.datetime64)
    values = _as_numbers(timestamps, is_time)
    if np.isnan(values).any():
        raise ValueError("timestamps must not hold missing values.")
    if not isinstance(bins, (numbers.Integral, str)):
        bins = _as_numbers(np.asarray(bins), is_time)
    edges = np.histogram_bin_edges(values, bins=bins)
    which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    n_bins = len(edges) - 1

    estimator, _ = _split(model)
    n_topics = estimator.n_components_
    members = [np.flatnonzero(which == b) for b in range(n_bins)]
    rng = check_random_state(random_state)
    draws = np.full((n_draws, n_bins, n_topics), np.nan)
    for d, sample in enumerate(_proportion_draws(model, X, n_draws, rng)):
        for b, rows in enumerate(members):
            if rows.size:
                resampled = rows[rng.randint(rows.size, size=rows.size)]
                draws[d, b] = sample[resampled].mean(axis=0)
    tail = 100 * (1 - interval) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty bins: all NaN
        prevalence = np.nanmean(draws, axis=0)
        lower = np.nanpercentile(draws, tail, axis=0)
        upper = np.nanpercentile(draws, 100 - tail, axis=0)

    def edge(value):
        return np.datetime64(int(round(value)), "s") if is_time else float(value)

    records = []
    for b, rows in enumerate(members):
        for topic in range(n_topics):
            records.append(
                {
                    "bin": b,
                    "start": edge(edges[b]),
                    "end": edge(edges[b + 1]),
                    "topic": topic,
                    "n_documents": int(rows.size),
                    "prevalence": float(prevalence[b, topic]),
                    "lower": float(lower[b, topic]),
                    "upper": float(upper[b, topic]),
                }
            )
    return pd.DataFrame(records)


def _as_numbers(values: np.ndarray, is_time: bool) -> np.ndarray:
    """Timestamps (or bin edges) as float seconds, or numbers as float."""
    if is_time != np.issubdtype(values.dtype, np.datetime64):
        raise ValueError(
            "bins and timestamps must both be dates (datetime64) or both numbers."
        )
    if is_time:
        return values.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    return values.astype(np.float64)


def _n_rows(X) -> int:
    if sp.issparse(X) or hasattr(X, "shape"):
        return X.shape[0]
    return len(X)


# ------------------------------------------------------------------ export


def to_pyldavis(model, X, *, feature_names=None, **prepare_params):
    """pyLDAvis's intertopic distance map and term-relevance view of a model.

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model with feature names.
    X : array-like or sparse matrix
        Documents, as the model takes them (typically the training set):
        their topic proportions, lengths and term frequencies.
    feature_names : array-like of str, default=None
        The terms, for a model fitted on an array without them.
    **prepare_params
        Passed to :func:`pyLDAvis.prepare` (e.g. ``R``, ``lambda_step``,
        ``mds``, ``sort_topics``).

    Returns
    -------
    prepared : pyLDAvis.PreparedData
        Show it with ``pyLDAvis.display`` in a notebook, or write a page with
        ``pyLDAvis.save_html(prepared, "topics.html")``.
    """
    try:
        import pyLDAvis
    except ImportError as error:  # an optional extra
        raise ImportError(
            "to_pyldavis needs pyLDAvis: pip install 'skvae[pyldavis]'."
        ) from error
    terms = _terms(model, feature_names)
    counts = sp.csr_matrix(_rows(model, X), dtype=np.float64)
    theta = np.asarray(model.transform(X), dtype=np.float64)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    keep = lengths > 0  # pyLDAvis divides by each document's length
    params = {"sort_topics": False, "start_index": 0, **prepare_params}
    return pyLDAvis.prepare(
        topic_term_distributions(model),
        theta[keep] / theta[keep].sum(axis=1, keepdims=True),
        lengths[keep],
        [str(term) for term in terms],
        frequency,
        **params,
    )


# ------------------------------------------------------------------- plots


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "The plots need matplotlib: pip install matplotlib."
        ) from error
    return plt


def _principal_coordinates(distances: np.ndarray) -> np.ndarray:
    """Classical multidimensional scaling to 2-D (as pyLDAvis's map)."""
    squared = squareform(distances) ** 2
    n = squared.shape[0]
    centring = np.eye(n) - 1.0 / n
    inner = -0.5 * centring @ squared @ centring
    values, vectors = np.linalg.eigh(inner)
    top = np.argsort(values)[::-1][:2]
    coordinates = vectors[:, top] * np.sqrt(np.maximum(values[top], 0))
    return np.pad(coordinates, ((0, 0), (0, 2 - coordinates.shape[1])))


def plot_topic_hierarchy(model, *, n_terms: int = 3, feature_names=None, ax=None):
    """A dendrogram of :func:`topic_linkage`, each leaf labelled by its terms.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    Z = topic_linkage(model)
    labels = [
        f"{k}: {label}"
        for k, label in enumerate(
            topic_labels(model, n_terms, feature_names=feature_names)
        )
    ]
    if ax is None:
        height = max(3.0, 0.28 * len(labels) + 1)
        _, ax = plt.subplots(figsize=(8, height))
    dendrogram(
        Z,
        labels=labels,
        orientation="right",
        ax=ax,
        color_threshold=0,
        above_threshold_color="0.3",
    )
    # Topics are far apart on an absolute scale (JS distance at most 0.83):
    # start the axis near the first join so that the structure shows.
    ax.set_xlim(left=max(0.0, 0.9 * Z[0, 2]))
    ax.set_xlabel("Jensen-Shannon distance of the topics' term distributions")
    ax.set_title("How the topics join up")
    ax.tick_params(axis="y", labelsize=8)
    ax.figure.tight_layout()
    return ax.figure


def plot_topics_over_time(frame, *, topics=None, labels=None, ax=None):
    """Prevalence over time with its band, from :func:`topics_over_time`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`topics_over_time`.
    topics : sequence of int, default=None
        Topics to draw; by default the five that vary most across bins.
    labels : sequence of str, default=None
        A label per topic of the model (e.g. :func:`topic_labels`).

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    if topics is None:
        spread = frame.groupby("topic")["prevalence"].agg(lambda p: p.max() - p.min())
        topics = spread.sort_values(ascending=False).index[:5].tolist()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    for topic in topics:
        rows = frame[frame["topic"] == topic].sort_values("bin")
        middle = rows["start"] + (rows["end"] - rows["start"]) / 2
        name = f"{topic}: {labels[topic]}" if labels is not None else f"topic {topic}"
        (line,) = ax.plot(middle, rows["prevalence"], marker="o", ms=3, label=name)
        ax.fill_between(
            middle, rows["lower"], rows["upper"], color=line.get_color(), alpha=0.2
        )
    ax.set_ylabel("mean topic proportion")
    ax.set_ylim(bottom=0)
    ax.set_title("Topics over time (bands: 90% posterior interval)")
    ax.legend(fontsize="small", loc="upper left")
    ax.figure.autofmt_xdate()
    ax.figure.tight_layout()
    return ax.figure


def plot_intertopic_map(model, X, *, n_terms: int = 3, feature_names=None):
    """A static intertopic distance map: topics as circles, closer when similar.

    Topics are placed by classical multidimensional scaling of the
    Jensen-Shannon distances of their term distributions (pyLDAvis's map);
    a circle's area is the topic's prevalence in X, and its number leads to
    the topic's label in the list beside the map.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    xy = _principal_coordinates(_topic_distances(model))
    prevalence = np.asarray(model.transform(X)).mean(axis=0)
    labels = topic_labels(model, n_terms, feature_names=feature_names)
    figure, (ax, legend) = plt.subplots(
        1, 2, figsize=(11, 6.5), gridspec_kw={"width_ratios": [3, 2]}
    )
    ax.scatter(
        *xy.T,
        s=2500 * prevalence / prevalence.max(),
        alpha=0.3,
        color="tab:blue",
        edgecolor="tab:blue",
    )
    for k, (x, y) in enumerate(xy):
        ax.text(x, y, str(k), ha="center", va="center", fontsize=8, weight="bold")
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.set_title("Intertopic distance map (area: prevalence)")
    ax.margins(0.15)
    legend.axis("off")
    order = np.argsort(-prevalence, kind="stable")
    entries = [f"{k:>3}  {100 * prevalence[k]:4.1f}%  {labels[k]}" for k in order]
    legend.text(
        0, 1, "\n".join(entries), va="top", ha="left", fontsize=8, family="monospace"
    )
    legend.set_title("topic, prevalence, label", loc="left", fontsize=9)
    figure.tight_layout()
    return figure


def plot_document_map(
    model,
    X,
    *,
    labels=None,
    label_names=None,
    max_documents=3000,
    random_state=0,
    ax=None,
):
    """Documents on a 2-D map of their topic proportions (t-SNE).

    Each document is placed by t-SNE of its topic proportions and coloured by
    ``labels`` when given, else by its dominant topic.

    Parameters
    ----------
    model : VAEEmbedder, MergedTopics or Pipeline
        A fitted topic model.
    X : array-like or sparse matrix
        Documents, as the model takes them.
    labels : array-like of shape (n_documents,), default=None
        Integer classes to colour by (e.g. the documents' categories).
    label_names : sequence of str, default=None
        Names of the classes of ``labels``, or of the topics.
    max_documents : int, default=3000
        At most this many documents, drawn at random, are mapped.
    random_state : int, RandomState instance or None, default=0
        Seeds the sample and t-SNE.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    from sklearn.manifold import TSNE

    plt = _pyplot()
    theta = np.asarray(model.transform(X), dtype=np.float64)
    rng = check_random_state(random_state)
    rows = np.arange(theta.shape[0])
    if rows.size > max_documents:
        rows = np.sort(rng.choice(rows, max_documents, replace=False))
    colours = theta[rows].argmax(axis=1) if labels is None else np.asarray(labels)[rows]
    perplexity = min(30.0, max(2.0, (rows.size - 1) / 3))
    xy = TSNE(
        2, init="pca", perplexity=perplexity, random_state=rng.randint(2**31 - 1)
    ).fit_transform(np.sqrt(theta[rows]))  # Hellinger geometry
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 6.5))
    cmap = plt.get_cmap("tab20")
    for value in np.unique(colours):
        if label_names is not None:
            name = label_names[value]
        else:
            name = f"topic {value}" if labels is None else str(value)
        ax.scatter(
            *xy[colours == value].T, s=4, alpha=0.6, color=cmap(value % 20), label=name
        )
    ax.set_xticks([])
    ax.set_yticks([])
    what = "dominant topic" if labels is None else "class"
    ax.set_title(f"Documents by their topic proportions (t-SNE), coloured by {what}")
    if np.unique(colours).size <= 20:
        ax.legend(markerscale=3, fontsize="x-small", loc="best", ncol=2)
    ax.figure.tight_layout()
    return ax.figure
