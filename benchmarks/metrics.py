"""Topic-model and embedding metrics for the skvae benchmarks.

Pure numpy / scipy / scikit-learn (no skvae import), so that the metrics can be
tested and reused on any model's output:

- :func:`npmi_coherence`: NPMI coherence of each topic's top terms, from
  document co-occurrence in a reference corpus (Lau et al., 2014; gensim's
  ``c_npmi`` with whole-document windows, as in the ProdLDA / CTM evaluations);
- :func:`topic_diversity`: share of unique terms among all topics' top terms
  (Dieng et al., 2020);
- :func:`classification_accuracy`: test accuracy of a standardised logistic
  regression trained on embeddings.

Run the tests with ``python -m pytest benchmarks/test_metrics.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["classification_accuracy", "npmi_coherence", "topic_diversity"]


def _truncate(
    top_term_indices: Sequence[np.ndarray], n_terms: int | None
) -> list[np.ndarray]:
    """Return each topic's first ``n_terms`` term indices as an int array."""
    return [
        np.asarray(terms, dtype=np.intp).ravel()[:n_terms] for terms in top_term_indices
    ]


def npmi_coherence(
    top_term_indices: Sequence[np.ndarray], X_ref, *, n_terms: int | None = 10
) -> np.ndarray:
    """NPMI coherence of each topic from document co-occurrence in ``X_ref``.

    With ``D`` documents, ``P(w) = df(w) / D`` and ``P(wi, wj) = df(wi, wj) / D``
    where ``df`` counts the documents that contain the term(s), the
    normalised pointwise mutual information of a pair is::

        NPMI(wi, wj) = log(P(wi, wj) / (P(wi) P(wj))) / -log P(wi, wj)

    in [-1, 1]. A pair that never co-occurs gets -1 (the usual convention), and
    a pair present in every document gets 1. A topic's coherence is the mean
    NPMI over all pairs of its top terms.

    Parameters
    ----------
    top_term_indices : sequence of array-like of int
        For each topic, the column indices of its top terms in ``X_ref``,
        most important first.
    X_ref : {array-like, sparse matrix} of shape (n_documents, n_terms_total)
        Reference document-term matrix (e.g. test-set counts); only whether a
        term occurs in a document matters.
    n_terms : int or None, default=10
        Use each topic's first ``n_terms`` terms; None uses all of them.

    Returns
    -------
    npmi : ndarray of shape (n_topics,)
        Mean pairwise NPMI of each topic; NaN for a topic with fewer than two
        terms.
    """
    topics = _truncate(top_term_indices, n_terms)
    X_bin = sp.csc_matrix(X_ref, dtype=np.float64)
    n_docs = X_bin.shape[0]
    if n_docs == 0:
        raise ValueError("X_ref has no documents.")
    # One sparse matmul over the union of all topics' terms, instead of one per
    # topic: 50 topics x 10 terms is at most 500 columns, a cheap dense result.
    vocab = np.unique(np.concatenate(topics)) if topics else np.array([], np.intp)
    X_bin = X_bin[:, vocab]
    X_bin.data = (X_bin.data != 0).astype(np.float64)  # binarise: presence only
    X_bin.eliminate_zeros()
    co_counts = (X_bin.T @ X_bin).toarray()  # co-document frequencies
    doc_freq = np.diag(co_counts)

    npmi = np.full(len(topics), np.nan)
    for k, terms in enumerate(topics):
        if terms.size < 2:
            continue
        pos = np.searchsorted(vocab, terms)
        i, j = np.triu_indices(terms.size, k=1)
        p_i = doc_freq[pos[i]] / n_docs
        p_j = doc_freq[pos[j]] / n_docs
        p_ij = co_counts[pos[i], pos[j]] / n_docs
        pair = np.full(p_ij.shape, -1.0)  # never co-occur -> -1
        always = p_ij == 1.0  # -log P(wi, wj) = 0: limit of perfect association
        pair[always] = 1.0
        seen = (p_ij > 0) & ~always
        pmi = np.log(p_ij[seen] / (p_i[seen] * p_j[seen]))
        pair[seen] = pmi / -np.log(p_ij[seen])
        npmi[k] = pair.mean()
    return npmi


def topic_diversity(
    top_term_indices: Sequence[np.ndarray], *, n_terms: int | None = 25
) -> float:
    """Share of unique terms among all topics' top terms.

    1 when no two topics share a top term, ``1 / n_topics`` when all topics
    have the same top terms.

    Parameters
    ----------
    top_term_indices : sequence of array-like of int
        For each topic, the indices of its top terms, most important first.
    n_terms : int or None, default=25
        Use each topic's first ``n_terms`` terms; None uses all of them.

    Returns
    -------
    diversity : float
        Number of distinct terms divided by the total number of top terms.
    """
    topics = _truncate(top_term_indices, n_terms)
    all_terms = np.concatenate(topics) if topics else np.array([], np.intp)
    if all_terms.size == 0:
        raise ValueError("top_term_indices holds no terms.")
    return float(np.unique(all_terms).size / all_terms.size)


def classification_accuracy(Z_train, y_train, Z_test, y_test) -> float:
    """Test accuracy of a logistic regression trained on the embeddings.

    The embeddings are standardised first, so that the regularisation treats
    every latent dimension alike whatever its scale.

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
    """
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    classifier.fit(Z_train, y_train)
    return float(classifier.score(Z_test, y_test))
