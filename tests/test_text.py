"""Topics and word vectors from fitted models (skvae.text)."""

import numpy as np
import pytest
from conftest import TOPIC_WORDS
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae.text import nearest_terms, term_vectors, topic_terms, vocabulary

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def topic_pipeline():
    from conftest import make_corpus

    docs, _ = make_corpus(n_docs=300)
    # Trained to the end (tol=0): shorter runs leave a stray word in the top
    # five of one topic for some seeds.
    vae = VAEEmbedder(
        3,
        latent="topic",
        hidden_layer_sizes=(32,),
        max_iter=300,
        learning_rate_init=3e-3,
        tol=0,
        random_state=0,
    )
    return make_pipeline(CountVectorizer(stop_words="english"), vae).fit(docs)


def _topic_of(word):
    return next(i for i, words in enumerate(TOPIC_WORDS) if word in words.split())


def test_topics_recover_the_generating_vocabularies(topic_pipeline):
    topics = topic_terms(topic_pipeline, n_terms=5)
    assert len(topics) == 3 and all(len(t) == 5 for t in topics)
    # Each learned topic's top terms come from one generating topic, and the
    # three learned topics cover the three generating ones.
    sources = [{_topic_of(w) for w in topic} for topic in topics]
    assert all(len(s) == 1 for s in sources)
    assert set().union(*sources) == {0, 1, 2}


def test_nearest_terms_share_the_topic(topic_pipeline):
    neighbours = nearest_terms(topic_pipeline, "python", n_terms=5)
    assert [word for word, _ in neighbours] != []
    assert "python" not in [word for word, _ in neighbours]
    assert all(_topic_of(word) == _topic_of("python") for word, _ in neighbours)
    similarities = [s for _, s in neighbours]
    assert similarities == sorted(similarities, reverse=True)


def test_term_vectors_follow_the_vocabulary(topic_pipeline):
    vectors = term_vectors(topic_pipeline)
    terms = vocabulary(topic_pipeline)
    vae = topic_pipeline[-1]
    assert vectors.shape == (terms.size, 3)
    assert terms.tolist() == topic_pipeline[0].get_feature_names_out().tolist()
    j = terms.tolist().index("storm")
    assert np.array_equal(vectors[j], vae.components_[:, j])


def test_bare_embedder_takes_feature_names(topic_pipeline):
    vae = topic_pipeline[-1]
    names = topic_pipeline[0].get_feature_names_out()
    assert topic_terms(vae, 4, feature_names=names) == topic_terms(topic_pipeline, 4)
    with pytest.raises(ValueError, match="No vocabulary"):
        topic_terms(vae)
    with pytest.raises(ValueError, match="feature_names has 2 entries"):
        topic_terms(vae, feature_names=["a", "b"])


def test_dataframe_column_names_are_the_vocabulary(counts):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(counts.toarray(), columns=[f"w{j}" for j in range(37)])
    vae = VAEEmbedder(2, max_iter=2, random_state=0).fit(frame)
    assert vocabulary(vae).tolist() == list(frame.columns)


def test_unknown_term_is_a_clear_error(topic_pipeline):
    with pytest.raises(ValueError, match="'zebra' is not in the vocabulary"):
        nearest_terms(topic_pipeline, "zebra")


def test_unfitted_or_foreign_models_are_rejected():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        topic_terms(VAEEmbedder())
    with pytest.raises(ValueError, match="no VAEEmbedder"):
        topic_terms(make_pipeline(CountVectorizer()).fit(["ab cd", "cd ef"]))
    with pytest.raises(TypeError, match="Expected a fitted VAEEmbedder"):
        topic_terms(CountVectorizer())


def test_vocabulary_works_with_a_nonlinear_decoder(corpus):
    docs, _ = corpus
    pipe = make_pipeline(
        CountVectorizer(),
        VAEEmbedder(2, decoder_hidden_layer_sizes=(8,), max_iter=2, random_state=0),
    ).fit(docs)
    assert vocabulary(pipe).tolist() == pipe[0].get_feature_names_out().tolist()
    with pytest.raises(ValueError, match="decoder linear"):
        term_vectors(pipe)
