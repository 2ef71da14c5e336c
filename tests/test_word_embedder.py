"""WordEmbedder: word contexts, PPMI and a VAE as one estimator."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from skvae import VAEEmbedder
from skvae.text import (
    PPMITransformer,
    WordContexts,
    WordEmbedder,
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
