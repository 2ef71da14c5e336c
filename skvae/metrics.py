"""Metrics of topic models and document embeddings.

- :func:`topic_coherence`: NPMI coherence of each topic's top terms, from
  document co-occurrence in a reference corpus (Lau et al., 2014);
- :func:`topic_diversity`: share of unique terms among all topics' top terms
  (Dieng et al., 2020);
- :func:`top_term_indices`: the column indices of each topic's top terms;
- :func:`classification_accuracy`: test accuracy of a standardised logistic
  regression trained on embeddings;
- :func:`neighbor_accuracy`: accuracy of a k-nearest-neighbour vote (cosine)
  of test embeddings among training embeddings, the measure of similarity
  search;
- :func:`clustering_nmi`: agreement (NMI) of a k-means clustering of
  embeddings with their labels.

A topic is a row of a model's topic-term weights, ``components_`` in
scikit-learn's decompositions; its top terms are the columns with the largest
weights. The topic functions take any of:

- a fitted estimator with ``components_`` (:class:`~skvae.VAEEmbedder`,
  :class:`~sklearn.decomposition.LatentDirichletAllocation`,
  :class:`~sklearn.decomposition.NMF`,
  :class:`~sklearn.decomposition.TruncatedSVD`, ...);
- a fitted :class:`~sklearn.pipeline.Pipeline`; its last step that has
  ``components_`` is the topic model, and the steps before it turn the
  pipeline's input (e.g. raw documents) into the reference matrix;
- an array of shape (n_topics, n_terms) of topic-term weights.

Use :func:`skvae.text.topic_terms` for the top terms as strings.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted, check_non_negative

__all__ = [
    "classification_accuracy",
    "clustering_nmi",
    "neighbor_accuracy",
    "top_term_indices",
    "topic_coherence",
    "topic_diversity",
]

_MODEL_KINDS = (
    "a fitted estimator with components_, a fitted Pipeline with such a step, "
    "or an array of shape (n_topics, n_terms) of topic-term weights"
)


def _topic_model(model) -> tuple[np.ndarray, Pipeline | None]:
    """Topic-term weights of ``model``, and the pipeline steps that precede them.

    Returns
    -------
    weights : ndarray of shape (n_topics, n_terms), dtype=float64
        One row per topic.
    preprocessor : Pipeline or None
        The steps of a Pipeline before its topic step, which turn the
        pipeline's input into documents x terms; None when there are none.
    """
    if isinstance(model, Pipeline):
        check_is_fitted(model)
        for position in range(len(model.steps) - 1, -1, -1):
            step = model.steps[position][1]
            if hasattr(step, "components_"):
                weights = _check_weights(step.components_, type(step).__name__)
                return weights, (model[:position] if position > 0 else None)
        raise TypeError(
            "No step of the Pipeline has components_ (topic-term weights); "
            f"steps: {[name for name, _ in model.steps]}."
        )
    if hasattr(model, "fit"):
        check_is_fitted(model)
        if not hasattr(model, "components_"):
            raise TypeError(
                f"{type(model).__name__} has no components_ (topic-term weights); "
                f"expected {_MODEL_KINDS}."
            )
        return _check_weights(model.components_, type(model).__name__), None
    return _check_weights(model, "model"), None


def _check_weights(weights, name: str) -> np.ndarray:
    """Validate topic-term weights: a finite 2-D numeric array."""
    if sp.issparse(weights) or isinstance(weights, str):
        raise TypeError(f"Expected {_MODEL_KINDS}; got {type(weights).__name__}.")
    try:
        array = np.asarray(weights)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise TypeError(
            f"Expected {_MODEL_KINDS}; got {type(weights).__name__}."
        ) from exc
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Expected {_MODEL_KINDS}; got {type(weights).__name__} of dtype "
            f"{array.dtype}."
        )
    if array.ndim != 2:
        raise ValueError(
            f"The topic-term weights of {name} must have shape (n_topics, "
            f"n_terms); got shape {array.shape}."
        )
    return check_array(array, dtype=np.float64, input_name=f"{name} weights")


def _check_top_n(top_n, n_terms: int, min_val: int) -> int:
    """Validate ``top_n``: an integer in [min_val, n_terms]."""
    if isinstance(top_n, bool) or not isinstance(top_n, numbers.Integral):
        raise TypeError(f"top_n must be an int; got {type(top_n).__name__}.")
    if top_n < min_val:
        raise ValueError(f"top_n must be at least {min_val}; got {top_n}.")
    if top_n > n_terms:
        raise ValueError(f"top_n={top_n} is more than the model's {n_terms} terms.")
    return int(top_n)


def _top_terms(weights: np.ndarray, top_n: int) -> np.ndarray:
    """Column indices of each row's ``top_n`` largest weights, largest first."""
    # Stable sort of the negated rows: ties keep the vocabulary order.
    return np.argsort(-weights, axis=1, kind="stable")[:, :top_n]


def _is_documents(X) -> bool:
    """Whether X is a one-dimensional sequence of strings (raw documents)."""
    # Look at the first element only: np.ndim(X) would copy every document
    # into a fixed-width string array.
    if sp.issparse(X) or isinstance(X, str) or getattr(X, "ndim", 1) != 1:
        return False
    try:
        first = next(iter(X))
    except (TypeError, StopIteration):
        return False
    return isinstance(first, str)


def _reference_matrix(X, preprocessor, feature_names, n_terms: int):
    """The documents x terms matrix of the reference corpus, validated."""
    if isinstance(X, str):
        raise TypeError(
            "X must be a documents x terms matrix or a sequence of documents; "
            "got a single string."
        )
    if preprocessor is not None:
        if feature_names is not None:
            raise ValueError(
                "feature_names is for a model without a vocabulary; a Pipeline "
                "takes its terms from the steps before its topic model."
            )
        X = preprocessor.transform(X)
    elif _is_documents(X):
        if feature_names is None:
            raise ValueError(
                "X holds raw documents: pass a Pipeline that turns them into "
                "terms (e.g. CountVectorizer + the model), the model's "
                "feature_names to count them with, or a documents x terms matrix."
            )
        vocabulary = _check_feature_names(feature_names, n_terms)
        longest = max(term.count(" ") for term in vocabulary) + 1
        vectorizer = CountVectorizer(
            vocabulary=vocabulary, ngram_range=(1, longest), binary=True
        )
        X = vectorizer.transform(X)
    elif feature_names is not None:
        _check_feature_names(feature_names, n_terms)

    X = check_array(
        X,
        accept_sparse=("csr", "csc", "coo"),
        ensure_min_samples=0,
        input_name="X",
    )
    if X.shape[0] == 0:
        raise ValueError("X has no documents: coherence needs a reference corpus.")
    if X.shape[1] != n_terms:
        raise ValueError(
            f"X has {X.shape[1]} columns (terms) but the model has {n_terms} "
            "terms; X must count the model's terms, in the same order."
        )
    check_non_negative(X, "topic_coherence")
    return X


def _check_feature_names(feature_names, n_terms: int) -> list[str]:
    names = [str(name) for name in np.asarray(feature_names, dtype=object).ravel()]
    if len(names) != n_terms:
        raise ValueError(
            f"feature_names has {len(names)} entries but the model has {n_terms} terms."
        )
    return names


def _npmi(topics: np.ndarray, X) -> np.ndarray:
    """Mean pairwise NPMI of each row of ``topics`` (term indices) in X."""
    n_docs = X.shape[0]
    # One product over the union of all topics' terms, instead of one per
    # topic: 100 topics x 10 terms is at most 1,000 columns, a cheap result.
    vocabulary, positions = np.unique(topics, return_inverse=True)
    positions = positions.reshape(topics.shape)
    if sp.issparse(X):
        present = sp.csc_matrix(X)[:, vocabulary]
        present.data = (present.data != 0).astype(np.float64)  # presence only
        present.eliminate_zeros()
        co_docs = (present.T @ present).toarray()
    else:
        present = (X[:, vocabulary] != 0).astype(np.float64)
        co_docs = present.T @ present
    doc_freq = np.diag(co_docs)

    i, j = np.triu_indices(topics.shape[1], k=1)
    a, b = positions[:, i], positions[:, j]  # (n_topics, n_pairs)
    n_ij = co_docs[a, b]
    npmi = np.full(n_ij.shape, -1.0)  # never together (or absent) -> -1
    always = n_ij == n_docs  # -log P(wi, wj) = 0: the limit is 1
    npmi[always] = 1.0
    seen = (n_ij > 0) & ~always
    p_ij = n_ij[seen] / n_docs
    p_i, p_j = doc_freq[a[seen]] / n_docs, doc_freq[b[seen]] / n_docs
    npmi[seen] = np.log(p_ij / (p_i * p_j)) / -np.log(p_ij)
    return npmi.mean(axis=1)


def top_term_indices(model, top_n: int = 10) -> np.ndarray:
    """The column indices of every topic's ``top_n`` largest weights.

    Parameters
    ----------
    model : estimator, Pipeline or array-like of shape (n_topics, n_terms)
        A fitted estimator with ``components_``, a fitted Pipeline with such
        a step, or topic-term weights (see the module docstring).
    top_n : int, default=10
        Number of terms per topic, at least 1.

    Returns
    -------
    indices : ndarray of shape (n_topics, top_n), dtype=intp
        Row k lists topic k's terms by decreasing weight; equal weights keep
        the order of the columns.

    Raises
    ------
    TypeError
        If ``model`` is none of the accepted kinds, or ``top_n`` is not an
        int.
    ValueError
        If the weights are not 2-D or not finite, or ``top_n`` is below 1 or
        above the number of terms.
    sklearn.exceptions.NotFittedError
        If ``model`` is an unfitted estimator or Pipeline.

    See Also
    --------
    skvae.text.topic_terms : The top terms of a VAEEmbedder as strings.

    Examples
    --------
    >>> from skvae.metrics import top_term_indices
    >>> weights = [[0.1, 0.7, 0.2, 0.7], [0.5, 0.0, 0.3, 0.2]]
    >>> top_term_indices(weights, top_n=3)
    array([[1, 3, 2],
           [0, 2, 3]])
    """
    weights, _ = _topic_model(model)
    return _top_terms(weights, _check_top_n(top_n, weights.shape[1], 1))


def topic_coherence(
    model,
    X,
    *,
    top_n: int = 10,
    feature_names=None,
    per_topic: bool = False,
) -> float | np.ndarray:
    """NPMI coherence of each topic's top terms in a reference corpus.

    With ``D`` documents in ``X``, ``P(w) = df(w) / D`` and
    ``P(wi, wj) = df(wi, wj) / D``, where ``df`` counts the documents that
    contain the term (both terms); the normalised pointwise mutual information
    of a pair (Bouma, 2009) is::

        NPMI(wi, wj) = log(P(wi, wj) / (P(wi) P(wj))) / -log P(wi, wj)

    in [-1, 1]: 0 for independent terms, 1 for terms that only occur together.
    Two conventions complete it: a pair that never co-occurs (or a term absent
    from ``X``) gets -1, the limit as ``P(wi, wj)`` goes to 0, and a pair
    present in every document gets 1, the limit as it goes to 1. A topic's
    coherence is the mean NPMI over the pairs of its ``top_n`` terms, which
    correlates well with human judgements of topic quality (Lau et al., 2014).

    Parameters
    ----------
    model : estimator, Pipeline or array-like of shape (n_topics, n_terms)
        A fitted estimator with ``components_`` (VAEEmbedder,
        LatentDirichletAllocation, NMF, TruncatedSVD, ...), a fitted Pipeline
        whose last step with ``components_`` is the topic model, or
        topic-term weights. A topic's top terms are its ``top_n`` largest
        weights.
    X : {array-like, sparse matrix} of shape (n_documents, n_terms) or \
            sequence of str
        The reference corpus, e.g. the held-out documents. Only whether a
        term occurs in a document matters (any non-zero entry), so counts,
        binary or TF-IDF matrices give the same result. With a Pipeline, X is
        the pipeline's input (e.g. raw documents) and goes through the steps
        before the topic model; to pass a matrix instead, pass that step
        itself. Raw documents with another kind of model need
        ``feature_names``.
    top_n : int, default=10
        Number of top terms per topic, at least 2.
    feature_names : array-like of str of shape (n_terms,), default=None
        The model's terms, in column order. When given, X may be raw
        documents: they are counted on exactly these terms with
        ``CountVectorizer(vocabulary=feature_names)`` (its default, lower-cased
        tokenisation; n-grams up to the longest term). Not for a Pipeline,
        whose steps know the terms.
    per_topic : bool, default=False
        Whether to return every topic's coherence instead of their mean.

    Returns
    -------
    coherence : float or ndarray of shape (n_topics,)
        The mean NPMI of the topics, or each topic's with ``per_topic=True``.

    Raises
    ------
    TypeError
        If ``model`` is none of the accepted kinds, ``top_n`` is not an int, or
        X is a single string.
    ValueError
        If ``top_n`` is below 2 or above the number of terms, X has no
        documents, a column count other than the model's number of terms, or
        negative entries, X holds raw documents and no vocabulary is known, or
        ``feature_names`` has the wrong length.
    sklearn.exceptions.NotFittedError
        If ``model`` is an unfitted estimator or Pipeline.

    See Also
    --------
    topic_diversity : How many distinct terms the topics use.

    Notes
    -----
    This is gensim's ``CoherenceModel(coherence="c_npmi")`` with whole
    documents as windows (``window_size`` at least the longest document),
    except for two conventions: gensim adds ``epsilon=1e-12`` to
    ``P(wi, wj)``, so that a pair that never co-occurs scores
    ``log(epsilon / (P(wi) P(wj))) / -log(epsilon)`` (a little above -1)
    instead of -1, and a pair present in every document scores -1 instead of
    1. gensim's default ``window_size=10`` counts co-occurrence in windows of
    10 tokens instead.

    References
    ----------
    Bouma, G. (2009). Normalized (Pointwise) Mutual Information in
    Collocation Extraction. Proceedings of GSCL, 31-40.

    Lau, J. H., Newman, D. and Baldwin, T. (2014). Machine Reading Tea
    Leaves: Automatically Evaluating Topic Coherence and Topic Model Quality.
    EACL.

    Examples
    --------
    Terms 0 and 1 occur in the same documents, term 2 never with them:

    >>> import numpy as np
    >>> from skvae.metrics import topic_coherence
    >>> X = np.array([[1, 3, 0], [2, 1, 0], [0, 0, 5], [0, 0, 1]])
    >>> weights = np.array([[0.5, 0.4, 0.1], [0.5, 0.1, 0.4]])
    >>> topic_coherence(weights, X, top_n=2, per_topic=True)
    array([ 1., -1.])
    >>> topic_coherence(weights, X, top_n=2)
    0.0

    A fitted text pipeline scores raw documents:

    >>> from sklearn.decomposition import NMF
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> docs = ["apple banana fruit", "banana fruit juice", "car engine road",
    ...         "road car wheel", "fruit apple juice", "engine wheel car"]
    >>> pipe = make_pipeline(CountVectorizer(), NMF(2, random_state=0)).fit(docs)
    >>> bool(topic_coherence(pipe, docs, top_n=3) > 0)
    True
    """
    weights, preprocessor = _topic_model(model)
    top_n = _check_top_n(top_n, weights.shape[1], 2)
    X = _reference_matrix(X, preprocessor, feature_names, weights.shape[1])
    npmi = _npmi(_top_terms(weights, top_n), X)
    return npmi if per_topic else float(npmi.mean())


def topic_diversity(model, *, top_n: int = 25) -> float:
    """Share of unique terms among all topics' top terms (Dieng et al., 2020).

    1 when no two topics share a top term, ``1 / n_topics`` when all topics
    have the same top terms.

    Parameters
    ----------
    model : estimator, Pipeline or array-like of shape (n_topics, n_terms)
        A fitted estimator with ``components_``, a fitted Pipeline with such
        a step, or topic-term weights (see :func:`topic_coherence`).
    top_n : int, default=25
        Number of top terms per topic, at least 1.

    Returns
    -------
    diversity : float
        Number of distinct terms among the topics' top terms divided by
        ``n_topics * top_n``.

    Raises
    ------
    TypeError
        If ``model`` is none of the accepted kinds, or ``top_n`` is not an
        int.
    ValueError
        If the weights are not 2-D or not finite, or ``top_n`` is below 1 or
        above the number of terms.
    sklearn.exceptions.NotFittedError
        If ``model`` is an unfitted estimator or Pipeline.

    See Also
    --------
    topic_coherence : How often the topics' top terms occur together.

    References
    ----------
    Dieng, A. B., Ruiz, F. J. R. and Blei, D. M. (2020). Topic Modeling in
    Embedding Spaces. Transactions of the Association for Computational
    Linguistics, 8, 439-453.

    Examples
    --------
    >>> from skvae.metrics import topic_diversity
    >>> weights = [[3, 2, 1, 0], [0, 1, 2, 3], [3, 2, 0, 1]]
    >>> topic_diversity(weights, top_n=2)  # top terms {0, 1}, {3, 2}, {0, 1}
    0.6666666666666666
    """
    top = top_term_indices(model, top_n)
    return float(np.unique(top).size / top.size)


def classification_accuracy(Z_train, y_train, Z_test, y_test) -> float:
    """Test accuracy of a logistic regression trained on embeddings.

    The embeddings are standardised first (``StandardScaler``), so that the
    regularisation of ``LogisticRegression(max_iter=1000)`` treats every
    latent dimension alike whatever its scale.

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_components)
        Training embeddings.
    y_train : array-like of shape (n_train,)
        Training labels.
    Z_test : array-like of shape (n_test, n_components)
        Test embeddings.
    y_test : array-like of shape (n_test,)
        Test labels.

    Returns
    -------
    accuracy : float
        Share of test samples classified correctly.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.metrics import classification_accuracy
    >>> Z = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> y = np.array([0, 0, 1, 1])
    >>> classification_accuracy(Z, y, Z, y)
    1.0
    """
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    classifier.fit(Z_train, y_train)
    return float(classifier.score(Z_test, y_test))


def neighbor_accuracy(Z_train, y_train, Z_test, y_test, *, n_neighbors=10) -> float:
    """Accuracy of a k-nearest-neighbour vote by cosine similarity.

    Each test embedding takes the majority label of its ``n_neighbors``
    most similar training embeddings: how well a similarity search over the
    embeddings finds documents of the same class.

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_components)
        Training embeddings (the searched collection).
    y_train : array-like of shape (n_train,)
        Training labels.
    Z_test : array-like of shape (n_test, n_components)
        Test embeddings (the queries).
    y_test : array-like of shape (n_test,)
        Test labels.
    n_neighbors : int, default=10
        Neighbours that vote.

    Returns
    -------
    accuracy : float
        Share of test samples whose neighbours' vote is their label.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.metrics import neighbor_accuracy
    >>> Z = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> y = np.array([0, 0, 1, 1])
    >>> neighbor_accuracy(Z, y, Z, y, n_neighbors=2)
    1.0
    """
    search = KNeighborsClassifier(
        n_neighbors=n_neighbors, metric="cosine", algorithm="brute"
    )
    search.fit(Z_train, y_train)
    return float(search.score(Z_test, y_test))


def clustering_nmi(Z, y, *, random_state=0) -> float:
    """NMI between the labels and a k-means clustering of the embeddings.

    ``KMeans`` with as many clusters as there are labels (``n_init=3``) on
    the embeddings as they are: a clustering is only as good as the
    embedding's own geometry.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_components)
        Embeddings.
    y : array-like of shape (n_samples,)
        Labels.
    random_state : int, RandomState instance or None, default=0
        Seeds k-means.

    Returns
    -------
    nmi : float
        Normalised mutual information of clusters and labels, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.metrics import clustering_nmi
    >>> Z = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> clustering_nmi(Z, np.array([0, 0, 1, 1]))
    1.0
    """
    y = np.asarray(y)
    n_clusters = np.unique(y).size
    clusters = KMeans(n_clusters, n_init=3, random_state=random_state).fit_predict(Z)
    return float(normalized_mutual_info_score(y, clusters))
