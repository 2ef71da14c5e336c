"""WordContexts: word-context matrices counted from documents."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skvae import VAEEmbedder
from skvae.text import WordContexts, term_vectors, vocabulary

# Terms a, b, c (single letters need the token pattern below).  "the" is a
# stop word: dropped before windowing, so "a the b" makes a and b neighbours.
# Tokens after that: document 1 is a b a c (positions 0-3), document 2 is c b.
DOCS = ["a the b a c", "c b"]
ONE_LETTER = dict(token_pattern=r"(?u)\b\w+\b", stop_words=["the"])


def contexts(**params):
    return WordContexts(**ONE_LETTER, **params).fit_transform(DOCS)


def test_output_is_csr_with_the_vocabulary():
    wc = WordContexts(window=1, **ONE_LETTER)
    C = wc.fit_transform(DOCS)
    assert sp.issparse(C) and C.format == "csr" and C.has_canonical_format
    assert wc.vocabulary_ == {"a": 0, "b": 1, "c": 2}
    assert wc.get_feature_names_out().tolist() == ["a", "b", "c"]
    assert_array_equal(wc.term_counts_, [2, 2, 2])


def test_term_bags_window_1():
    # Neighbours at distance 1: a-b, b-a, a-c in document 1, c-b in document 2;
    # counted once from each side, never across the documents.
    expected = [
        [0, 2, 1],  # a at 0: b; a at 2: b, c
        [2, 0, 1],  # b at 1: a, a; b in document 2: c
        [1, 1, 0],  # c at 3: a; c in document 2: b
    ]
    assert_array_equal(contexts(window=1).toarray(), expected)


def test_term_bags_window_2():
    # Distance 2 adds a-a (positions 0 and 2) and b-c (1 and 3).
    expected = [
        [2, 2, 1],
        [2, 0, 2],
        [1, 2, 0],
    ]
    assert_array_equal(contexts(window=2).toarray(), expected)


def test_position_bags_window_1():
    expected = [
        [0, 1, 0],  # a: b
        [2, 0, 0],  # b: a, a
        [0, 1, 1],  # a: b, c
        [1, 0, 0],  # c: a
        [0, 1, 0],  # c: b (document 2)
        [0, 0, 1],  # b: c
    ]
    assert_array_equal(contexts(window=1, bags="position").toarray(), expected)


def test_position_bags_window_2():
    expected = [
        [1, 1, 0],  # a: b, a
        [2, 0, 1],  # b: a, a, c
        [1, 1, 1],  # a: a, b, c
        [1, 1, 0],  # c: b, a
        [0, 1, 0],
        [0, 0, 1],
    ]
    C = contexts(window=2, bags="position")
    assert C.has_canonical_format
    assert_array_equal(C.toarray(), expected)


@pytest.mark.parametrize(
    "weighting, expected",
    [
        # Weights at distance 1, 2, 3: linear 1, 2/3, 1/3; harmonic 1, 1/2, 1/3.
        # Pairs at distance 2: a-a, b-c; at distance 3: a-c (positions 0, 3).
        (
            "linear",
            [[4 / 3, 2, 1 + 1 / 3], [2, 0, 1 + 2 / 3], [1 + 1 / 3, 1 + 2 / 3, 0]],
        ),
        ("harmonic", [[1, 2, 1 + 1 / 3], [2, 0, 1.5], [1 + 1 / 3, 1.5, 0]]),
        ("uniform", [[2, 2, 2], [2, 0, 2], [2, 2, 0]]),
    ],
)
def test_window_weighting(weighting, expected):
    C = contexts(window=3, window_weighting=weighting)
    assert_allclose(C.toarray(), expected)


def test_weighted_position_bags():
    C = contexts(window=2, bags="position", window_weighting="harmonic")
    assert_allclose(C[1].toarray(), [[2, 0, 0.5]])  # b at 1: a, a, and c at 2


def test_term_rows_sum_the_position_rows():
    docs = ["the cat sat on the mat", "a dog sat on a log by the cat"] * 3
    for weighting in ("uniform", "linear"):
        params = dict(window=3, window_weighting=weighting)
        wc = WordContexts(**params, bags="position")
        positions = wc.fit_transform(docs)
        analyze = CountVectorizer().build_analyzer()
        centers = [wc.vocabulary_[t] for doc in docs for t in analyze(doc)]
        terms = WordContexts(**params).fit_transform(docs)
        one_hot = sp.csr_matrix(np.eye(terms.shape[0])[centers])
        assert_allclose((one_hot.T @ positions).toarray(), terms.toarray())


def test_transform_uses_the_fitted_vocabulary():
    wc = WordContexts(window=1, **ONE_LETTER).fit(DOCS)
    C = wc.transform(["b zebra a", "c"])  # zebra is unknown: dropped
    assert_array_equal(C.toarray(), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    positions = wc.set_params(bags="position").transform(["b zebra a", "c"])
    assert positions.shape == (3, 3)  # c alone in its document: an empty row
    assert positions[2].nnz == 0


def test_fixed_vocabulary_matches_count_vectorizer():
    docs = ["the cat sat on the mat", "a dog sat on a log", "the cat saw a dog"]
    vectorizer = CountVectorizer(min_df=2).fit(docs)
    pruned = WordContexts(min_df=2).fit(docs)
    fixed = WordContexts(vocabulary=vectorizer.vocabulary_).fit(docs)
    assert pruned.vocabulary_ == fixed.vocabulary_ == vectorizer.vocabulary_
    assert_array_equal(
        pruned.transform(docs).toarray(), fixed.transform(docs).toarray()
    )


def test_callable_analyzer_takes_token_lists():
    tokens = [["a", "b", "a", "c"], ["c", "b"]]
    C = WordContexts(window=1, analyzer=lambda doc: doc).fit_transform(tokens)
    assert_array_equal(C.toarray(), contexts(window=1).toarray())


def frequent_word_corpus(n_docs=1000):
    # "the" is half of all tokens; every other word occurs once.
    return [f"the w{i}" for i in range(n_docs)]


def test_subsampling_drops_frequent_words_at_word2vecs_rate():
    docs = frequent_word_corpus()
    t = 0.01
    wc = WordContexts(window=1, subsample=t, random_state=0)
    C = wc.fit_transform(docs)
    the = wc.vocabulary_["the"]
    # Each surviving "the" has one neighbour, a rare word that is always kept
    # (its frequency 1/2000 is below t).
    survivors = C[the].sum()
    keep = np.sqrt(t / 0.5) + t / 0.5
    assert abs(survivors - keep * len(docs)) < 5 * np.sqrt(len(docs) * keep)
    rare_rows = np.delete(np.asarray(C.sum(axis=1)).ravel(), the)
    assert_array_equal(np.unique(rare_rows), [0, 1])
    assert C[:, the].sum() == survivors


def test_subsampling_keeps_words_rarer_than_the_threshold():
    docs = frequent_word_corpus()
    full = WordContexts(window=1).fit_transform(docs)
    kept = WordContexts(window=1, subsample=0.5, random_state=0).fit_transform(docs)
    assert_array_equal(kept.toarray(), full.toarray())  # f <= t: kept


def test_subsampled_windows_reach_further():
    # "the" is nearly every token: kept with probability 0.03; xx and yy are
    # rarer than t, always kept.
    docs = ["xx the yy"] + ["the the the the"] * 2500
    wc = WordContexts(window=1, subsample=1e-3, random_state=0)
    C = wc.fit_transform(docs).toarray()
    x, y = wc.vocabulary_["xx"], wc.vocabulary_["yy"]
    assert C[x, y] == C[y, x] == 1  # "the" was dropped between them


def test_random_state_makes_sampling_reproducible():
    docs = frequent_word_corpus(200)
    params = dict(window=2, subsample=0.01, position_rate=0.5, bags="position")
    first = WordContexts(**params, random_state=0).fit_transform(docs)
    again = WordContexts(**params, random_state=0).fit_transform(docs)
    other = WordContexts(**params, random_state=1).fit_transform(docs)
    assert_array_equal(first.toarray(), again.toarray())
    assert first.shape != other.shape or (first != other).nnz > 0
    wc = WordContexts(**params, random_state=0).fit(docs)
    assert_array_equal(wc.transform(docs).toarray(), first.toarray())
    assert_array_equal(wc.transform(docs).toarray(), first.toarray())


def test_random_state_is_unused_without_sampling():
    docs = frequent_word_corpus(50)
    first = WordContexts(random_state=0).fit_transform(docs)
    other = WordContexts(random_state=1).fit_transform(docs)
    assert_array_equal(first.toarray(), other.toarray())


def is_subsequence(rows, of):
    it = iter(of)
    return all(any(np.array_equal(row, candidate) for candidate in it) for row in rows)


def test_position_rate_samples_positions():
    docs = ["the cat sat on the mat and the dog sat on the log"] * 50
    full = WordContexts(window=2, bags="position").fit_transform(docs).toarray()
    wc = WordContexts(window=2, bags="position", position_rate=0.3, random_state=0)
    sampled = wc.fit_transform(docs).toarray()
    n = full.shape[0]
    assert abs(sampled.shape[0] - 0.3 * n) < 5 * np.sqrt(n * 0.3 * 0.7)
    assert is_subsequence(sampled, full)  # kept rows in document order


def test_position_rate_samples_term_centres():
    docs = ["the cat sat on the mat and the dog sat on the log"] * 50
    full = WordContexts(window=2).fit_transform(docs)
    sampled = WordContexts(window=2, position_rate=0.3, random_state=0).fit_transform(
        docs
    )
    assert (sampled > full).nnz == 0
    assert abs(sampled.sum() / full.sum() - 0.3) < 0.05


@pytest.mark.parametrize(
    "params",
    [
        dict(window=0),
        dict(window=1.5),
        dict(bags="word"),
        dict(window_weighting="dynamic"),
        dict(subsample=0),
        dict(subsample=-1e-5),
        dict(position_rate=0),
        dict(position_rate=1.5),
        dict(min_df=-1),
        dict(stop_words="french"),
    ],
)
def test_invalid_parameters_are_rejected_by_fit(params):
    wc = WordContexts(**params)
    with pytest.raises(InvalidParameterError):
        wc.fit(DOCS)
    with pytest.raises(InvalidParameterError):
        wc.fit_transform(DOCS)


def test_input_errors():
    with pytest.raises(ValueError, match="string object received"):
        WordContexts().fit("a single document")
    with pytest.raises(NotFittedError):
        WordContexts().transform(DOCS)
    with pytest.raises(ValueError, match="max_df corresponds to < documents"):
        WordContexts(min_df=3).fit(DOCS)  # CountVectorizer's checks
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordContexts(stop_words=["aa", "bb"]).fit(["aa bb"])
    with pytest.raises(ValueError, match="string object received"):
        WordContexts().fit(["aa bb"]).transform("aa bb")


def test_sklearn_api():
    wc = WordContexts(3, bags="position", subsample=1e-4, random_state=0)
    copy = clone(wc)
    assert copy.get_params() == wc.get_params()
    assert copy.get_params()["window"] == 3
    assert not hasattr(copy, "vocabulary_")
    tags = wc.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


@pytest.mark.trains
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("bags", ["term", "position"])
def test_pipeline_with_vae(corpus, bags):
    docs, _ = corpus
    pipe = make_pipeline(
        WordContexts(window=2, bags=bags, random_state=0),
        VAEEmbedder(2, hidden_layer_sizes=(8,), max_iter=2, random_state=0),
    ).fit(docs)
    terms = vocabulary(pipe)
    assert terms.tolist() == pipe[0].get_feature_names_out().tolist()
    assert term_vectors(pipe).shape == (terms.size, 2)
    assert pipe[-1].likelihood_ == "multinomial"
    embedded = pipe.transform(docs[:5])
    n_rows = terms.size if bags == "term" else pipe[0].transform(docs[:5]).shape[0]
    assert embedded.shape == (n_rows, 2)


def test_ppmi_transformer_matches_the_definition_by_hand():
    from skvae.text import PPMITransformer

    counts = np.array([[0.0, 4.0, 1.0], [4.0, 0.0, 2.0], [1.0, 2.0, 0.0]])
    original = counts.copy()
    ppmi = PPMITransformer(smoothing=0.5).fit_transform(sp.csr_matrix(counts))
    total = counts.sum()
    p_word = counts.sum(axis=1) / total
    smoothed = counts.sum(axis=0) ** 0.5
    p_context = smoothed / smoothed.sum()
    with np.errstate(divide="ignore"):
        expected = np.log(counts / total / np.outer(p_word, p_context))
    expected = np.where(counts > 0, np.maximum(expected, 0), 0)
    np.testing.assert_allclose(ppmi.toarray(), expected)
    np.testing.assert_array_equal(counts, original)  # the input is not changed


def test_ppmi_transformer_rejects_negative_counts():
    from skvae.text import PPMITransformer

    with pytest.raises(ValueError, match="Negative values"):
        PPMITransformer().fit(np.array([[1.0, -1.0]]))
