"""WordEmbedder: word contexts, PPMI and a VAE as one estimator."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer

from skvae import VAEEmbedder
from skvae.text import (
    PPMITransformer,
    WordContexts,
    WordEmbedder,
    analogy,
    nearest_terms,
    term_vectors,
    to_keyed_vectors,
    vocabulary,
)

SMALL = {"hidden_layer_sizes": (8,), "batch_size": 8, "max_iter": 3}


@pytest.fixture(scope="module")
def docs():
    from conftest import make_corpus

    return make_corpus(n_docs=60)[0]


@pytest.fixture(scope="module")
def words(docs):
    return WordEmbedder(
        3, contexts=WordContexts(window=2), random_state=0, **SMALL
    ).fit(docs)


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_fit_is_the_pipeline_it_describes(docs, words):
    # The same steps by hand: contexts, PPMI, a multinomial VAE on the rows.
    counts = WordContexts(window=2).fit_transform(docs)
    rows = PPMITransformer().fit_transform(counts)
    vae = VAEEmbedder(3, likelihood="multinomial", random_state=0, **SMALL).fit(rows)
    assert_allclose(words.vae_.components_, vae.components_)
    expected = _unit(vae.transform(rows)) + _unit(vae.components_.T)
    assert_allclose(words.vectors_, expected, rtol=1e-6)
    assert_array_equal(
        words.terms_, WordContexts(window=2).fit(docs).get_feature_names_out()
    )
    assert words.n_iter_ == words.vae_.n_iter_


@pytest.mark.parametrize("choice", ["posterior", "decoder", "encoder"])
def test_vectors_choice(docs, words, choice):
    chosen = clone(words).set_params(vectors=choice).fit(docs)
    rows = chosen.ppmi_.transform(chosen.contexts_.transform(docs))
    expected = {
        "posterior": lambda: chosen.vae_.transform(rows),
        "decoder": lambda: term_vectors(chosen.vae_, feature_names=chosen.terms_),
        "encoder": lambda: term_vectors(
            chosen.vae_, source="encoder", feature_names=chosen.terms_
        ),
    }[choice]()
    assert_allclose(chosen.vectors_, expected, rtol=1e-6)
    assert chosen.vectors_.shape[1] == (8 if choice == "encoder" else 3)


def test_random_state_makes_the_vectors_reproducible(docs, words):
    again = clone(words).fit(docs)
    assert_array_equal(again.vectors_, words.vectors_)
    other = clone(words).set_params(random_state=1).fit(docs)
    assert not np.allclose(other.vectors_, words.vectors_)


def test_text_functions_take_a_word_embedder(words):
    assert_array_equal(term_vectors(words), words.vectors_)
    assert_array_equal(vocabulary(words), words.terms_)
    # An explicit source reads the VAE's weights.
    assert_array_equal(term_vectors(words, source="decoder"), words.vae_.components_.T)
    term = str(words.terms_[0])
    neighbours = nearest_terms(words, term, n_terms=4)
    unit = _unit(words.vectors_)
    expected = np.argsort(-(unit @ unit[0]), kind="stable")[1:5]
    assert [t for t, _ in neighbours] == list(words.terms_[expected])
    with pytest.raises(ValueError, match="own terms"):
        nearest_terms(words, term, feature_names=words.terms_)


def test_keyed_vectors_of_a_word_embedder(words):
    pytest.importorskip("gensim")
    keyed = to_keyed_vectors(words)
    assert list(keyed.index_to_key) == list(words.terms_)
    assert_array_equal(keyed.vectors, words.vectors_)


def test_transform_embeds_documents_by_their_counts(docs, words):
    embeddings = words.transform(docs[:5])
    counts = (
        words.contexts_._vectorizer()
        .set_params(vocabulary=words.contexts_.vocabulary_)
        .fit_transform(docs[:5])
    )
    assert_allclose(embeddings, words.vae_.transform(counts))
    assert embeddings.shape == (5, 3)
    assert list(words.get_feature_names_out()) == [
        "wordembedder0",
        "wordembedder1",
        "wordembedder2",
    ]


def test_contexts_must_count_term_rows(docs, words):
    est = WordEmbedder(3, contexts=WordContexts(bags="position"), **SMALL)
    with pytest.raises(ValueError, match="bags='term'"):
        est.fit(docs)
    assert not hasattr(est, "vectors_")
    # A failed refit does not leave the earlier fit behind either.
    refit = clone(words).fit(docs).set_params(contexts=WordContexts(bags="position"))
    with pytest.raises(ValueError, match="bags='term'"):
        refit.fit(docs)
    assert not [name for name in vars(refit) if name.endswith("_")]


@pytest.mark.parametrize(
    "params",
    [{"n_components": 0}, {"vectors": "mean"}, {"smoothing": 0}, {"contexts": "word"}],
)
def test_invalid_parameters_are_rejected_by_fit(docs, params):
    with pytest.raises(ValueError, match=next(iter(params))):
        WordEmbedder(**params).fit(docs)


def test_unfitted_and_bad_input():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        WordEmbedder().transform(["a b"])
    with pytest.raises(NotFittedError):
        nearest_terms(WordEmbedder(), "a")
    with pytest.raises(ValueError, match="string object received"):
        WordEmbedder().fit("one string, not a list of documents")


def test_contexts_is_cloned(docs):
    contexts = WordContexts(window=2)
    WordEmbedder(3, contexts=contexts, **SMALL).fit(docs)
    assert not hasattr(contexts, "vocabulary_")


def stem_corpus(n_docs=300, seed=0):
    """Documents over four topics of words built as stem + suffix, and the
    held-out spellings: every topic's stems, each with one suffix the
    documents never use."""
    rng = np.random.RandomState(seed)
    letters = np.array(list("bcdfghklmnprstvz"))
    suffixes = ["", "s", "ing", "ed", "er"]
    topics = [
        ["".join(rng.choice(letters, 5)) + "o" for _ in range(6)] for _ in range(4)
    ]
    seen = [
        [stem + suffix for stem in stems for suffix in suffixes[:-1]]
        for stems in topics
    ]
    unseen = [[stem + suffixes[-1] for stem in stems] for stems in topics]
    docs = []
    for i in range(n_docs):
        topic = i % len(topics)
        docs.append(" ".join(rng.choice(seen[topic], size=25)))
    return docs, topics, unseen


def test_words_outside_the_vocabulary_get_vectors_near_their_kin():
    docs, topics, unseen = stem_corpus()
    words = WordEmbedder(
        8, contexts=WordContexts(window=3), random_state=0, batch_size=16
    ).fit(docs)
    vocabulary_ = set(words.terms_)
    assert not vocabulary_ & {word for group in unseen for word in group}
    topic_of = {
        word: topic
        for topic, stems in enumerate(topics)
        for stem in stems
        for word in vocabulary_
        if word.startswith(stem)
    }
    hits = []
    for topic, group in enumerate(unseen):
        for word in group:
            neighbours = nearest_terms(words, word, n_terms=5)
            hits += [topic_of[term] == topic for term, _ in neighbours]
    # Four topics: chance is a quarter.
    assert np.mean(hits) > 0.9


def test_word_vectors_of_known_words_are_their_rows(words):
    known = list(words.terms_[:3])
    assert_array_equal(words.word_vectors(known), words.vectors_[:3])
    # An unseen word sharing n-grams with known ones gets a vector of the
    # known vectors' mean length; one sharing none, the zero vector.
    kin = str(words.terms_[0]) + "zz"
    assert kin not in set(words.terms_)
    unseen = words.word_vectors([kin, "qqxqqx"])
    mean_norm = np.linalg.norm(words.vectors_, axis=1).mean()
    assert_allclose(np.linalg.norm(unseen, axis=1), [mean_norm, 0.0])


def test_without_subwords_unseen_words_are_an_error(docs):
    words = WordEmbedder(
        3, contexts=WordContexts(window=2), subwords=None, random_state=0, **SMALL
    ).fit(docs)
    assert words.subwords_ is None
    with pytest.raises(ValueError, match="'zzzqqq' is not in the vocabulary"):
        words.word_vectors(["zzzqqq"])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        nearest_terms(words, "zzzqqq")


@pytest.mark.parametrize("subwords", [(3,), (0, 4), (5, 3), ("a", 4)])
def test_bad_subword_ranges_are_refused_before_fitting(docs, subwords):
    with pytest.raises(ValueError, match="subwords must be None or a pair"):
        WordEmbedder(3, subwords=subwords, **SMALL).fit(docs)


def planted_analogy_corpus(n_concepts=8, n_docs=400, seed=0):
    """Documents where word ``w{i}r{r}`` is concept i in role r.

    Around each occurrence stand two context words of its concept and two of
    its role (and filler): every word's contexts are those of its concept
    plus those of its role, so "w0r0 is to w0r1 as w{i}r0 is to w{i}r1" is
    a linear offset that vectors of the contexts should carry.
    """
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_docs):
        words = []
        for _ in range(6):
            concept, role = rng.integers(n_concepts), rng.integers(2)
            around = [f"concept{concept}x{k}" for k in rng.integers(4, size=2)]
            around += [f"role{role}x{k}" for k in rng.integers(4, size=2)]
            rng.shuffle(around)
            words += around[:2] + [f"w{concept}r{role}"] + around[2:]
            words += [f"filler{k}" for k in rng.integers(20, size=2)]
        docs.append(" ".join(words))
    return docs


def planted_analogies_solved(model, n_concepts=8):
    """Share of "wIr0 : wIr1 :: wJr0 : ?" answered wJr1 (3CosAdd, top 1)."""
    solved = [
        analogy(model, [f"w{i}r1", f"w{j}r0"], [f"w{i}r0"], n_terms=1)[0][0]
        == f"w{j}r1"
        for i in range(n_concepts)
        for j in range(n_concepts)
        if i != j
    ]
    return np.mean(solved)


def test_posterior_means_solve_planted_analogies():
    docs = planted_analogy_corpus()
    words = WordEmbedder(
        16,
        contexts=WordContexts(window=2),
        vectors="posterior",
        subwords=None,
        batch_size=32,
        max_iter=12,
        random_state=0,
    ).fit(docs)
    # 56 questions among 36 candidate answers: chance is under 0.03.
    assert planted_analogies_solved(words) > 0.9


def test_spelling_rows_follow_the_context_rows(docs):
    words = WordEmbedder(
        3, contexts=WordContexts(window=2), spelling=0.5, random_state=0, **SMALL
    ).fit(docs)
    # The same rows by hand: PPMI context rows, then binary n-grams of the
    # terms scaled to half of each row's PPMI mass.
    rows = PPMITransformer().fit_transform(WordContexts(window=2).fit_transform(docs))
    ngrams = CountVectorizer(
        analyzer="char_wb", ngram_range=(3, 6), binary=True, max_features=5000
    ).fit_transform(words.terms_)
    scale = 0.5 * np.asarray(rows.sum(axis=1)).ravel() / ngrams.sum(axis=1).A1
    X = sp.hstack([rows, sp.diags(scale) @ ngrams]).tocsr()
    vae = VAEEmbedder(3, likelihood="multinomial", random_state=0, **SMALL).fit(X)
    assert_allclose(words.vae_.components_, vae.components_)
    n_terms = len(words.terms_)
    assert words.vae_.n_features_in_ == n_terms + len(words.spelling_.vocabulary_)
    expected = _unit(vae.transform(X)) + _unit(vae.components_[:, :n_terms].T)
    assert_allclose(words.vectors_, expected, rtol=1e-6)
    # Term views and document embeddings leave the n-gram columns out.
    assert term_vectors(words, source="decoder").shape == (n_terms, 3)
    assert term_vectors(words, source="encoder").shape == (n_terms, 8)
    assert words.transform(docs[:4]).shape == (4, 3)
    assert WordEmbedder(spelling=0.0).set_params(**SMALL).fit(docs).spelling_ is None


def test_spelling_brings_words_of_one_stem_together():
    docs, topics, _ = stem_corpus()
    stem_of = {
        word: stem
        for stems in topics
        for stem in stems
        for word in (stem, stem + "s", stem + "ing", stem + "ed")
    }

    def same_stem_share(spelling):
        words = WordEmbedder(
            8,
            contexts=WordContexts(window=3),
            spelling=spelling,
            vectors="posterior",
            subwords=None,
            batch_size=16,
            random_state=0,
        ).fit(docs)
        shares = [
            np.mean(
                [
                    stem_of[t] == stem_of[term]
                    for t, _ in nearest_terms(words, term, n_terms=3)
                ]
            )
            for term in words.terms_
        ]
        return np.mean(shares)

    # The contexts hold the topic, never the stem: 3 of a word's 23
    # topic-mates share its stem.  The posterior means carry the spelling;
    # the decoder weights (of the default sum) do not see it.
    assert same_stem_share(0.0) < 0.3
    assert same_stem_share(1.0) > 0.6
