"""Tests for skvae.metrics, on tiny matrices whose metrics are known by hand."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvae import VAEEmbedder
from skvae.metrics import (
    classification_accuracy,
    clustering_nmi,
    neighbor_accuracy,
    top_term_indices,
    topic_coherence,
    topic_diversity,
)

# Four documents over the terms a, b, c, d (columns 0-3; only presence counts):
#   d0 = {a, b, c}, d1 = {a, b}, d2 = {a, c, d}, d3 = {d}
# so P(a) = 3/4 and P(b) = P(c) = P(d) = 2/4, and the pairs co-occur in
#   a-b: d0, d1   a-c: d0, d2   a-d: d2   b-c: d0   b-d: none   c-d: d2
X_HAND = np.array(
    [
        [2, 1, 4, 0],
        [1, 3, 0, 0],
        [1, 0, 1, 2],
        [0, 0, 0, 5],
    ]
)
# NPMI(wi, wj) = log(P(wi, wj) / (P(wi) P(wj))) / -log P(wi, wj), by hand:
NPMI_AB = np.log((2 / 4) / (3 / 4 * 2 / 4)) / -np.log(2 / 4)  # log2(4/3) = 0.415
NPMI_AC = NPMI_AB  # same counts as a-b
NPMI_AD = np.log((1 / 4) / (3 / 4 * 2 / 4)) / -np.log(1 / 4)  # = -0.292
NPMI_BC = np.log((1 / 4) / (2 / 4 * 2 / 4)) / -np.log(1 / 4)  # independent: 0
NPMI_BD = -1.0  # never together
NPMI_CD = 0.0  # independent, like b-c

# Columns: 0 and 1 always together (docs 0, 1); 2 never with 0 or 1 (docs 2, 3);
# 3 and 4 independent (P = 1/2 each, together in 1 of 4 docs); 5 in every doc.
X_TOY = np.array(
    [
        [1, 3, 0, 1, 1, 1],
        [2, 1, 0, 1, 0, 1],
        [0, 0, 5, 0, 1, 1],
        [0, 0, 1, 0, 0, 1],
    ]
)

DOCS = [
    "apple banana fruit juice",
    "banana fruit juice smoothie",
    "car engine road wheel",
    "road car wheel tyre",
    "fruit apple juice banana",
    "engine wheel car road",
] * 3


def weights_for(*topics: list[int], n_terms: int) -> np.ndarray:
    """Topic-term weights whose top terms are ``topics``, in that order."""
    weights = np.zeros((len(topics), n_terms))
    for k, terms in enumerate(topics):
        weights[k, terms] = np.arange(len(terms), 0, -1)
    return weights


@pytest.mark.parametrize(
    "to_matrix", [np.asarray, sp.csr_matrix, sp.csc_matrix, sp.coo_matrix]
)
def test_coherence_hand_computed(to_matrix):
    weights = weights_for([0, 1, 2], [1, 3, 0], [2, 3, 1], n_terms=4)
    expected = [
        (NPMI_AB + NPMI_AC + NPMI_BC) / 3,  # 2/3 log2(4/3) = 0.277
        (NPMI_BD + NPMI_AB + NPMI_AD) / 3,  # log2(2/3) / 2 = -0.292
        (NPMI_CD + NPMI_BC + NPMI_BD) / 3,  # -1/3
    ]
    X = to_matrix(X_HAND)
    npmi = topic_coherence(weights, X, top_n=3, per_topic=True)
    np.testing.assert_allclose(npmi, expected, rtol=1e-12)
    np.testing.assert_allclose(npmi, [0.2766917, -0.2924813, -1 / 3], atol=1e-7)
    mean = topic_coherence(weights, X, top_n=3)
    assert isinstance(mean, float)
    assert mean == pytest.approx(np.mean(expected), rel=1e-12)


@pytest.mark.parametrize("to_matrix", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_coherence_pair_conventions(to_matrix):
    # Always together -> 1, never together -> -1, independent -> 0, with a
    # term present in every document -> 0 (PMI 0).
    weights = weights_for([0, 1], [0, 2], [3, 4], [0, 5], n_terms=6)
    npmi = topic_coherence(weights, to_matrix(X_TOY), top_n=2, per_topic=True)
    np.testing.assert_allclose(npmi, [1.0, -1.0, 0.0, 0.0], atol=1e-12)


def test_coherence_edge_pairs():
    # A pair present in every document gets the limit 1; a term absent from
    # X never co-occurs: -1.
    X = np.array([[1, 1, 0], [1, 2, 0], [3, 1, 0]])
    npmi = topic_coherence([[2, 1, 0], [0, 1, 2]], X, top_n=2, per_topic=True)
    np.testing.assert_allclose(npmi, [1.0, -1.0])


def test_coherence_only_presence_matters():
    weights = weights_for([0, 1, 3, 4], [2, 4, 0, 5], n_terms=6)
    expected = topic_coherence(weights, X_TOY, top_n=4, per_topic=True)
    for X in (7 * X_TOY, X_TOY > 0, np.sqrt(X_TOY), sp.csr_matrix(0.5 * X_TOY)):
        np.testing.assert_allclose(
            topic_coherence(weights, X, top_n=4, per_topic=True), expected
        )


def test_coherence_averages_all_pairs_in_any_order():
    # Pairs (0,1)=1, (0,2)=-1, (1,2)=-1 -> mean -1/3, whatever the order.
    weights = weights_for([0, 1, 2], [2, 1, 0], n_terms=6)
    npmi = topic_coherence(weights, X_TOY, top_n=3, per_topic=True)
    np.testing.assert_allclose(npmi, [-1 / 3, -1 / 3])


def test_coherence_uses_top_n_terms():
    weights = weights_for([0, 1, 2], n_terms=6)
    assert topic_coherence(weights, X_TOY, top_n=2) == pytest.approx(1.0)
    assert topic_coherence(weights, X_TOY, top_n=3) == pytest.approx(-1 / 3)


def test_coherence_is_bounded_on_a_realistic_matrix():
    rng = np.random.default_rng(0)
    X = sp.random(2000, 1000, density=0.02, format="csr", random_state=rng)
    weights = rng.random((50, 1000))
    npmi = topic_coherence(weights, X, per_topic=True)
    assert npmi.shape == (50,)
    assert np.all((npmi >= -1) & (npmi <= 1))


def test_top_term_indices_largest_first_ties_in_column_order():
    weights = [[0.1, 0.7, 0.2, 0.7], [0.5, -1.0, 0.5, 0.2]]
    top = top_term_indices(weights, 3)
    assert top.dtype == np.intp
    np.testing.assert_array_equal(top, [[1, 3, 2], [0, 2, 3]])
    np.testing.assert_array_equal(top_term_indices(weights, 1), [[1], [0]])


def test_topic_diversity_hand_computed():
    # Top-2 terms {0, 1}, {1, 2}, {0, 1}: 3 distinct terms among 6.
    weights = weights_for([0, 1], [1, 2], [1, 0], n_terms=4)
    assert topic_diversity(weights, top_n=2) == pytest.approx(3 / 6)
    # Top-1 terms {0}, {1}, {1}: 2 of 3.
    assert topic_diversity(weights, top_n=1) == pytest.approx(2 / 3)


def test_topic_diversity_extremes_and_top_n():
    rng = np.random.default_rng(0)
    same = np.tile(rng.permutation(100), (4, 1)).astype(float)
    assert topic_diversity(same) == pytest.approx(1 / 4)
    disjoint = weights_for(
        *[list(range(25 * k, 25 * k + 25)) for k in range(4)], n_terms=100
    )
    assert topic_diversity(disjoint) == 1.0
    # Only the first top_n terms of each topic count.
    long = weights_for([*range(25), 100], [*range(25), 101], n_terms=102)
    assert topic_diversity(long) == pytest.approx(0.5)
    assert topic_diversity(long, top_n=26) == pytest.approx(27 / 52)


def _fit_lda(X):
    return LatentDirichletAllocation(2, learning_method="batch", random_state=0).fit(X)


def _fit_nmf(X):
    return NMF(2, init="nndsvda", random_state=0, max_iter=500).fit(X)


def _fit_svd(X):
    return TruncatedSVD(2, random_state=0).fit(X)


def _fit_vae(X):
    return VAEEmbedder(2, hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("fit", [_fit_lda, _fit_nmf, _fit_svd, _fit_vae])
def test_fitted_estimators_use_their_components(fit):
    vectorizer = CountVectorizer()
    X = vectorizer.fit_transform(DOCS)
    model = fit(X)
    weights = model.components_
    assert topic_coherence(model, X, top_n=4) == topic_coherence(weights, X, top_n=4)
    np.testing.assert_array_equal(
        topic_coherence(model, X, top_n=4, per_topic=True),
        topic_coherence(weights, X, top_n=4, per_topic=True),
    )
    assert topic_diversity(model, top_n=4) == topic_diversity(weights, top_n=4)
    np.testing.assert_array_equal(
        top_term_indices(model, 4), np.argsort(-weights, axis=1)[:, :4]
    )


def test_array_like_weights():
    weights = weights_for([0, 1, 2], [2, 1, 0], n_terms=6)
    expected = topic_coherence(weights, X_TOY, top_n=3)
    assert topic_coherence(weights.tolist(), X_TOY.tolist(), top_n=3) == expected
    assert topic_coherence(weights.astype(np.float32), X_TOY, top_n=3) == expected


def test_pipeline_transforms_raw_documents():
    pipe = make_pipeline(CountVectorizer(), NMF(2, random_state=0, max_iter=500))
    pipe.fit(DOCS)
    X = pipe[0].transform(DOCS)
    expected = topic_coherence(pipe[-1], X, top_n=4, per_topic=True)
    assert expected.mean() > 0.5  # the two topics are fruit and cars
    np.testing.assert_array_equal(
        topic_coherence(pipe, DOCS, top_n=4, per_topic=True), expected
    )
    assert topic_diversity(pipe, top_n=4) == topic_diversity(pipe[-1], top_n=4)
    # Held-out documents, vectorized with the pipeline's vocabulary.
    held_out = ["apple juice fruit", "car road engine", "banana car"]
    assert topic_coherence(pipe, held_out, top_n=3) == topic_coherence(
        pipe[-1], pipe[0].transform(held_out), top_n=3
    )


def test_pipeline_topic_step_need_not_be_last():
    pipe = make_pipeline(
        TfidfVectorizer(),
        LatentDirichletAllocation(2, random_state=0),
        LogisticRegression(),
    )
    labels = np.array([0, 0, 1, 1, 0, 1] * 3)
    pipe.fit(DOCS, labels)
    lda = pipe[1]
    assert topic_coherence(pipe, DOCS, top_n=3) == topic_coherence(
        lda, pipe[0].transform(DOCS), top_n=3
    )
    np.testing.assert_array_equal(top_term_indices(pipe, 3), top_term_indices(lda, 3))


def test_pipeline_of_a_single_topic_step_takes_the_matrix():
    X = CountVectorizer().fit_transform(DOCS)
    pipe = make_pipeline(NMF(2, random_state=0, max_iter=500)).fit(X)
    assert topic_coherence(pipe, X, top_n=4) == topic_coherence(pipe[-1], X, top_n=4)


def test_feature_names_count_raw_documents():
    vectorizer = CountVectorizer(ngram_range=(1, 2))
    X = vectorizer.fit_transform(DOCS)
    nmf = NMF(2, random_state=0, max_iter=500).fit(X)
    names = vectorizer.get_feature_names_out()
    assert any(" " in name for name in names)  # bigrams
    expected = topic_coherence(nmf, X, top_n=5, per_topic=True)
    np.testing.assert_allclose(
        topic_coherence(nmf, DOCS, top_n=5, feature_names=names, per_topic=True),
        expected,
    )
    # With a matrix, feature_names only has its length checked.
    assert topic_coherence(nmf, X, top_n=5, feature_names=names) == expected.mean()


def test_gensim_c_npmi_with_whole_document_windows():
    gensim = pytest.importorskip("gensim")
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    rng = np.random.default_rng(0)
    X = rng.poisson(0.8, size=(200, 30))
    present = (X > 0).astype(int)
    # Where the definitions differ (a pair never together, or together in
    # every document: gensim's epsilon), they must not be tested.
    co_docs = present.T @ present
    assert co_docs.min() > 0 and co_docs.max() < X.shape[0]

    terms = [f"term{j}" for j in range(X.shape[1])]
    texts = [
        [terms[j] for j in np.flatnonzero(row) for _ in range(row[j])] for row in X
    ]
    weights = rng.random((8, X.shape[1]))
    topics = [[terms[j] for j in row] for row in top_term_indices(weights, 10)]
    coherence = CoherenceModel(
        topics=topics,
        texts=texts,
        dictionary=Dictionary(texts),
        coherence="c_npmi",
        topn=10,
        # A window at least as long as every document is the whole document.
        window_size=max(len(text) for text in texts),
        processes=1,
    )
    expected = np.array(coherence.get_coherence_per_topic())
    npmi = topic_coherence(weights, X, top_n=10, per_topic=True)
    # gensim adds epsilon=1e-12 to P(wi, wj): a relative change of ~1e-10 here.
    np.testing.assert_allclose(npmi, expected, rtol=0, atol=1e-8)
    assert topic_coherence(weights, X, top_n=10) == pytest.approx(
        coherence.get_coherence(), abs=1e-8
    )
    assert gensim.__version__


def test_classification_accuracy_separable():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 50)
    Z = rng.normal(size=(100, 3)) + 10 * y[:, None]
    assert classification_accuracy(Z, y, Z, y) == 1.0


def test_neighbor_accuracy_uses_direction_not_length():
    # Two classes told apart by direction only; lengths vary tenfold, so a
    # Euclidean search would mix them while a cosine one does not.
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    directions = np.where(y[:, None] == 0, [1.0, 0.2], [0.2, 1.0])
    Z = directions * rng.uniform(0.1, 10, size=(80, 1))
    assert neighbor_accuracy(Z[::2], y[::2], Z[1::2], y[1::2]) == 1.0
    shuffled = rng.permutation(y[::2])
    assert neighbor_accuracy(Z[::2], shuffled, Z[1::2], y[1::2]) < 0.8


def test_clustering_nmi_finds_planted_clusters_and_not_noise():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 30)
    planted = rng.normal(size=(90, 2)) + 8 * np.eye(3)[y][:, :2]
    assert clustering_nmi(planted, y) == pytest.approx(1.0)
    assert clustering_nmi(rng.normal(size=(90, 2)), y) < 0.2


WEIGHTS = weights_for([0, 1, 2], [3, 4, 5], n_terms=6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"top_n": 1}, ValueError, "top_n must be at least 2; got 1"),
        ({"top_n": 0}, ValueError, "top_n must be at least 2; got 0"),
        ({"top_n": -3}, ValueError, "top_n must be at least 2; got -3"),
        ({"top_n": 7}, ValueError, "top_n=7 is more than the model's 6 terms"),
        ({"top_n": 2.0}, TypeError, "top_n must be an int; got float"),
        ({"top_n": True}, TypeError, "top_n must be an int; got bool"),
    ],
)
def test_coherence_bad_top_n(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        topic_coherence(WEIGHTS, X_TOY, **kwargs)


@pytest.mark.parametrize(
    ("top_n", "error", "message"),
    [
        (0, ValueError, "top_n must be at least 1; got 0"),
        (-1, ValueError, "top_n must be at least 1; got -1"),
        (7, ValueError, "top_n=7 is more than the model's 6 terms"),
        ("5", TypeError, "top_n must be an int; got str"),
    ],
)
def test_diversity_and_top_terms_bad_top_n(top_n, error, message):
    with pytest.raises(error, match=re.escape(message)):
        topic_diversity(WEIGHTS, top_n=top_n)
    with pytest.raises(error, match=re.escape(message)):
        top_term_indices(WEIGHTS, top_n)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.zeros((0, 6)), ValueError, "X has no documents"),
        (sp.csr_matrix((0, 6)), ValueError, "X has no documents"),
        (X_TOY[:, :5], ValueError, "X has 5 columns (terms) but the model has 6"),
        (-X_TOY, ValueError, "Negative values"),
        (np.ones(6), ValueError, "Expected 2D array"),
        ("apple banana", TypeError, "got a single string"),
        (["apple banana"], ValueError, "X holds raw documents"),
    ],
)
def test_coherence_bad_X(X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        topic_coherence(WEIGHTS, X, top_n=2)


@pytest.mark.parametrize(
    ("model", "error", "message"),
    [
        (np.ones(6), ValueError, "must have shape (n_topics, n_terms); got shape (6,)"),
        (np.ones((2, 3, 6)), ValueError, "got shape (2, 3, 6)"),
        (np.full((2, 6), np.nan), ValueError, "NaN"),
        ([["apple", "banana"]], TypeError, "of dtype <U6"),
        ("apple", TypeError, "got str"),
        (sp.csr_matrix(WEIGHTS), TypeError, "got csr_matrix"),
        (
            KMeans(2, n_init=1).fit(X_TOY),
            TypeError,
            "KMeans has no components_",
        ),
        (
            make_pipeline(StandardScaler(), KMeans(2, n_init=1)).fit(X_TOY),
            TypeError,
            "No step of the Pipeline has components_",
        ),
    ],
)
def test_bad_models(model, error, message):
    for function in (
        lambda: topic_coherence(model, X_TOY, top_n=2),
        lambda: topic_diversity(model, top_n=2),
        lambda: top_term_indices(model, 2),
    ):
        with pytest.raises(error, match=re.escape(message)):
            function()


@pytest.mark.parametrize(
    "model",
    [
        LatentDirichletAllocation(2),
        NMF(2),
        VAEEmbedder(2),
        make_pipeline(CountVectorizer(), NMF(2)),
    ],
)
def test_unfitted_models(model):
    with pytest.raises(NotFittedError):
        topic_coherence(model, X_TOY)
    with pytest.raises(NotFittedError):
        topic_diversity(model)


def test_bad_feature_names():
    with pytest.raises(ValueError, match="feature_names has 3 entries but the model"):
        topic_coherence(
            WEIGHTS, ["apple banana"], top_n=2, feature_names=["a", "b", "c"]
        )
    with pytest.raises(ValueError, match="feature_names has 5 entries"):
        topic_coherence(WEIGHTS, X_TOY, top_n=2, feature_names=list("abcde"))
    pipe = make_pipeline(CountVectorizer(), NMF(2, max_iter=500)).fit(DOCS)
    with pytest.raises(ValueError, match="a Pipeline takes its terms"):
        topic_coherence(pipe, DOCS, feature_names=pipe[0].get_feature_names_out())


def test_validation_happens_before_the_pipeline_runs():
    class Exploding(CountVectorizer):
        def transform(self, raw_documents):
            raise AssertionError("transform ran before top_n was checked")

    pipe = make_pipeline(Exploding(), NMF(2, max_iter=500)).fit(DOCS)
    with pytest.raises(ValueError, match="top_n must be at least 2"):
        topic_coherence(pipe, DOCS, top_n=1)
