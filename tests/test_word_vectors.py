"""Word-vector queries and exports of skvae.text: analogy, gensim, word2vec files."""

import builtins

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae.text import (
    WordContexts,
    analogy,
    nearest_terms,
    save_word2vec_format,
    term_vectors,
    to_keyed_vectors,
    vocabulary,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Hand-made vectors: dimension 0 is "male", 1 "female", 2 "royal", 3 "fruit".
TERMS = ["man", "woman", "king", "queen", "prince", "apple", "pear"]
VECTORS = np.array(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 1.0, 0.0],
        [0.9, 0.0, 0.8, 0.1],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 0.1, 0.0, 1.0],
    ]
)


@pytest.fixture(scope="module")
def pipeline():
    from conftest import make_corpus

    docs, _ = make_corpus(n_docs=60)
    return make_pipeline(
        WordContexts(window=2),
        VAEEmbedder(3, hidden_layer_sizes=(8,), max_iter=2, random_state=0),
    ).fit(docs)


def test_analogy_on_hand_made_vectors():
    answers = analogy((VECTORS, TERMS), positive=["king", "woman"], negative="man")
    assert answers[0][0] == "queen"
    returned = [term for term, _ in answers]
    assert not {"king", "woman", "man"} & set(returned)  # query terms excluded
    assert len(answers) == len(TERMS) - 3  # fewer left than n_terms=10
    similarities = [s for _, s in answers]
    assert similarities == sorted(similarities, reverse=True)
    # The query is the unit vectors' king - man + woman.
    r = 1 / np.sqrt(2)
    query = np.array([r, 0, r, 0]) - np.array([1, 0, 0, 0]) + np.array([0, 1, 0, 0])
    queen = VECTORS[3] / np.linalg.norm(VECTORS[3])
    assert answers[0][1] == pytest.approx(queen @ query / np.linalg.norm(query))


def test_analogy_with_positive_terms_only_is_their_centroid():
    answers = analogy((VECTORS, TERMS), positive=["apple"], n_terms=1)
    assert answers == nearest_terms((VECTORS, TERMS), "apple", n_terms=1)
    assert answers[0][0] == "pear"


def test_analogy_errors():
    with pytest.raises(ValueError, match="at least one positive"):
        analogy((VECTORS, TERMS), positive=[], negative=["man"])
    with pytest.raises(ValueError, match="'duke' is not in the vocabulary"):
        analogy((VECTORS, TERMS), positive=["king", "duke"])
    with pytest.raises(TypeError, match="Expected a fitted VAEEmbedder"):
        analogy(VECTORS, positive=["king"])
    with pytest.raises(ValueError, match="3 terms for 7 vectors"):
        analogy((VECTORS, TERMS[:3]), positive=["king"])
    with pytest.raises(ValueError, match="only used with a bare VAEEmbedder"):
        analogy((VECTORS, TERMS), positive=["king"], feature_names=TERMS)


def test_queries_take_a_pipeline(pipeline):
    terms = vocabulary(pipeline).tolist()
    vectors = term_vectors(pipeline)
    assert analogy(pipeline, ["python", "rain"], ["code"]) == analogy(
        (vectors, terms), ["python", "rain"], ["code"]
    )
    assert nearest_terms(pipeline, "rain") == nearest_terms((vectors, terms), "rain")


def test_to_keyed_vectors_keeps_the_values(pipeline):
    pytest.importorskip("gensim")
    keyed = to_keyed_vectors(pipeline)
    vectors = term_vectors(pipeline)
    assert keyed.index_to_key == vocabulary(pipeline).tolist()
    assert keyed.vectors.dtype == vectors.dtype
    assert_array_equal(keyed.vectors, vectors)
    # gensim's KeyedVectors are themselves accepted as word vectors.
    assert nearest_terms(keyed, "rain") == nearest_terms(pipeline, "rain")
    query = dict(positive=["python", "rain"], negative=["code"])
    assert analogy(keyed, **query) == analogy(pipeline, **query)


def test_keyed_vectors_answer_like_skvae():
    pytest.importorskip("gensim")
    keyed = to_keyed_vectors((VECTORS, TERMS))
    expected = analogy((VECTORS, TERMS), ["king", "woman"], ["man"], n_terms=3)
    answers = keyed.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    assert [t for t, _ in answers] == [t for t, _ in expected]
    assert [s for _, s in answers] == pytest.approx([s for _, s in expected])


def test_missing_gensim_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_gensim(name, *args, **kwargs):
        if name.startswith("gensim"):
            raise ImportError("No module named 'gensim'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_gensim)
    with pytest.raises(ImportError, match=r"pip install 'skvae\[gensim\]'"):
        to_keyed_vectors((VECTORS, TERMS))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_word2vec_text_file_round_trip(tmp_path, dtype):
    gensim = pytest.importorskip("gensim")
    vectors = np.random.RandomState(0).normal(size=(7, 4)).astype(dtype)
    path = tmp_path / "vectors.txt"
    save_word2vec_format((vectors, TERMS), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "7 4"
    assert lines[3].split()[0] == "king" and len(lines[3].split()) == 5
    loaded = gensim.models.KeyedVectors.load_word2vec_format(path, datatype=dtype)
    assert loaded.index_to_key == TERMS
    assert_array_equal(loaded.vectors, vectors)
    # gensim's default float32 gets the nearest float32 of every value.
    loaded = gensim.models.KeyedVectors.load_word2vec_format(path)
    assert_array_equal(loaded.vectors, vectors.astype(np.float32))


def test_word2vec_file_of_a_pipeline(tmp_path, pipeline):
    gensim = pytest.importorskip("gensim")
    path = tmp_path / "vectors.txt"
    save_word2vec_format(pipeline, path)
    vectors = term_vectors(pipeline)
    loaded = gensim.models.KeyedVectors.load_word2vec_format(
        str(path), datatype=vectors.dtype.type
    )
    assert loaded.index_to_key == vocabulary(pipeline).tolist()
    assert_array_equal(loaded.vectors, vectors)


def test_word2vec_binary_file_round_trip(tmp_path):
    gensim = pytest.importorskip("gensim")
    path = tmp_path / "vectors.bin"
    save_word2vec_format((VECTORS, TERMS), path, binary=True)
    assert path.read_bytes().startswith(b"7 4\nman ")
    loaded = gensim.models.KeyedVectors.load_word2vec_format(path, binary=True)
    assert loaded.index_to_key == TERMS
    assert_array_equal(loaded.vectors, VECTORS.astype(np.float32))


@pytest.mark.parametrize(
    "terms, message",
    [
        (["ice cream", *TERMS[1:]], "cannot hold terms with whitespace"),
        (["man", *TERMS[:-1]], "not unique"),
        (["", *TERMS[1:]], "empty string"),
    ],
)
def test_word2vec_file_needs_plain_unique_terms(tmp_path, terms, message):
    path = tmp_path / "vectors.txt"
    with pytest.raises(ValueError, match=message):
        save_word2vec_format((VECTORS, terms), path)
    assert not path.exists()
