"""latent="topic": the ProdLDA topic model and perplexity."""

from functools import partial

import numpy as np
import pytest
from conftest import TOPIC_WORDS, make_corpus, make_text_corpus, small_vae
from numpy.testing import assert_allclose
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer

from skvae import VAEEmbedder
from skvae._embedder import fitted_state
from skvae.text import term_indices, topic_terms

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


topic_model = partial(
    small_vae,
    n_components=3,
    latent="topic",
    hidden_layer_sizes=(32,),
    max_iter=100,
    learning_rate_init=3e-3,
)


@pytest.fixture(scope="module")
def topic_fit():
    """The default test topic model, fitted once for the tests that read it."""
    docs, _ = make_corpus()
    return topic_model().fit(CountVectorizer().fit_transform(docs))


def test_transform_returns_topic_proportions(topic_fit, counts):
    theta = topic_fit.transform(counts)
    assert theta.shape == (counts.shape[0], 3)
    assert np.all(theta >= 0)
    assert_allclose(theta.sum(axis=1), 1.0, rtol=1e-6)


def test_topic_proportions_separate_the_generating_topics(topic_fit, corpus, counts):
    _, labels = corpus
    dominant = topic_fit.transform(counts).argmax(axis=1)
    # Each generating topic maps to one learned topic (up to relabelling).
    for label in range(3):
        values, counts_per_topic = np.unique(
            dominant[labels == label], return_counts=True
        )
        assert counts_per_topic.max() >= 0.9 * (labels == label).sum()


def test_inverse_transform_takes_proportions(topic_fit, corpus, counts):
    reconstruction = topic_fit.inverse_transform(topic_fit.transform(counts))
    assert reconstruction.shape == counts.shape
    # Expected counts of a document of mean training length ...
    assert_allclose(reconstruction.sum(axis=1), counts.sum(axis=1).mean())
    # ... whose most likely term comes from the document's own topic.
    docs, labels = corpus
    terms = CountVectorizer().fit(docs).get_feature_names_out()
    topic_of_term = np.array(
        [
            next((t for t, w in enumerate(TOPIC_WORDS) if term in w.split()), -1)
            for term in terms
        ]
    )
    assert np.mean(topic_of_term[reconstruction.argmax(axis=1)] == labels) > 0.9


def test_decoder_is_linear_in_centred_components(counts):
    # components_ is centred over the topics, and the logits of any topic
    # proportions are those of the uniform mixture plus theta @ components_.
    vae = topic_model(likelihood="poisson").fit(counts)
    assert_allclose(vae.components_.sum(axis=0), 0.0, atol=1e-10)
    theta = np.random.RandomState(1).dirichlet(np.ones(3), size=5)
    offset = np.log(vae.inverse_transform(np.full((1, 3), 1 / 3)))
    assert_allclose(
        np.log(vae.inverse_transform(theta)), offset + theta @ vae.components_
    )


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_training_scores_damped_counts_in_topic_mode(monkeypatch, counts, latent):
    # The training loss of the topic model scores log(1 + x); the Gaussian
    # latent's scores the counts as given.  Inference always sees the counts.
    from skvae._model import likelihoods as _likelihoods

    scored = []
    log_prob = _likelihoods.Multinomial.log_prob

    def recording(self, x, eta, observed, **kwargs):
        scored.append(x.to_dense() if hasattr(x, "to_dense") else x)
        return log_prob(self, x, eta, observed, **kwargs)

    monkeypatch.setattr(_likelihoods.Multinomial, "log_prob", recording)
    topic_model(latent=latent, max_iter=1, batch_size=counts.shape[0]).fit(counts)
    training_batch = scored[0].double().numpy()
    X = counts.toarray()
    expected = np.log1p(X) if latent == "topic" else X
    # One full batch, its rows shuffled: compare each column's sorted values.
    assert_allclose(
        np.sort(training_batch, axis=0), np.sort(expected, axis=0), rtol=1e-6
    )


def test_repeated_terms_do_not_claim_a_topic(corpus):
    # Two documents repeat one otherwise unused term 300 times.  Scored as raw
    # counts they weigh as much as ~20 ordinary documents and the term became
    # a topic's top term with every seed tried; with damped counts (log1p),
    # the ordinary documents' terms lead the topics.
    from sklearn.feature_extraction.text import CountVectorizer

    docs = corpus[0] + ["xyzzy " * 300 + "the a of", "xyzzy " * 300 + "and to in"]
    vectorizer = CountVectorizer().fit(docs)
    X = vectorizer.transform(docs)
    burst = vectorizer.vocabulary_["xyzzy"]
    top_terms = [
        topic_model(random_state=seed).fit(X).components_.argmax(axis=1)
        for seed in range(4)
    ]
    assert sum(burst in terms for terms in top_terms) <= 1


def test_theta_is_not_dropped_out_in_training(counts):
    # No dropout on the topic proportions: in training mode, the decoder's
    # input is softmax(z) whatever the dropout rate of the encoder.
    import torch

    vae = topic_model(dropout=0.5, max_iter=2).fit(counts)
    network = fitted_state(vae).build().train()
    z = torch.randn(7, 3, dtype=torch.float32)
    assert torch.equal(network.latent.code(z), torch.softmax(z, dim=1))


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_perplexity_matches_its_definition(counts, latent):
    vae = topic_model(latent=latent, max_iter=20).fit(counts)
    bound = vae.score_samples(counts)
    X = counts.toarray()
    lengths = X.sum(axis=1)
    from scipy.special import gammaln

    coefficient = gammaln(lengths + 1) - gammaln(X + 1).sum(axis=1)
    expected = np.exp(-(bound - coefficient).sum() / lengths.sum())
    assert vae.perplexity(counts) == pytest.approx(expected, rel=1e-10)


def test_gaussian_latent_perplexity_beats_lda(corpus):
    from sklearn.feature_extraction.text import CountVectorizer

    docs, _ = corpus
    vectorizer = CountVectorizer(stop_words="english").fit(docs[:60])
    train, test = vectorizer.transform(docs[:60]), vectorizer.transform(docs[60:])
    vae = topic_model(latent="gaussian", max_iter=200).fit(train)
    lda = LatentDirichletAllocation(3, learning_method="batch", random_state=0)
    lda.fit(train)
    assert vae.perplexity(test) < lda.perplexity(test)


def test_perplexity_needs_a_count_likelihood():
    X = np.random.RandomState(0).normal(size=(20, 4))
    vae = VAEEmbedder(2, max_iter=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="perplexity is defined for the count"):
        vae.perplexity(X)


def test_topic_mode_needs_counts():
    X = np.random.RandomState(0).normal(size=(20, 4))
    with pytest.raises(
        ValueError,
        match="Negative values in data passed to VAEEmbedder: latent='topic'",
    ):
        topic_model().fit(X)
    with pytest.raises(ValueError, match="latent='topic' needs the 'multinomial'"):
        topic_model(likelihood="gaussian").fit(np.abs(X))


def test_topic_mode_needs_two_samples(counts):
    with pytest.raises(ValueError, match="at least 2 samples"):
        topic_model().fit(counts[:1])


def test_binary_counts_are_multinomial_in_topic_mode(counts):
    binary = (counts > 0).astype(float)
    assert topic_model(max_iter=2).fit(binary).likelihood_ == "multinomial"


def test_samples_of_the_topic_model_have_the_training_length(topic_fit, counts):
    samples = topic_fit.sample(500, random_state=0)
    assert samples.shape == (500, counts.shape[1])
    mean_length = counts.sum(axis=1).mean()
    assert abs(samples.sum(axis=1).mean() / mean_length - 1) < 0.05


@pytest.fixture(scope="module")
def planted():
    docs, _ = make_text_corpus(n_docs=600, n_topics=6)
    vectorizer = CountVectorizer().fit(docs)
    return vectorizer, vectorizer.transform(docs)


@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_seeded_topics_recover_the_planted_topic_they_name(planted, random_state):
    vectorizer, X = planted
    # Topic 0 is seeded with words of planted topic 3, topic 1 with topic 1's.
    # Several random states: a seeded topic that starts with nothing but its
    # seed prior holds its seeds and little else in some of them.
    seeds = [["t3w0", "t3w5", "t3w9"], ["t1w2", "t1w7"]]
    vae = topic_model(
        n_components=6,
        seed_topics=term_indices(vectorizer, seeds),
        max_iter=60,
        random_state=random_state,
    ).fit(X)
    names = vectorizer.get_feature_names_out()
    for k, (prefix, terms) in enumerate(zip(("t3", "t1"), seeds, strict=True)):
        top = topic_terms(vae, 10, feature_names=names)[k]
        assert sum(term.startswith(prefix + "w") for term in top) >= 9
        assert sum(term in top for term in terms) >= len(terms) - 1


def test_seed_topics_are_checked_before_training(planted):
    _, X = planted
    with pytest.raises(ValueError, match="needs latent='topic'"):
        small_vae(seed_topics=[[0]]).fit(X)
    with pytest.raises(ValueError, match="not a term or a feature index"):
        topic_model(seed_topics=[[X.shape[1]]]).fit(X)
    with pytest.raises(ValueError, match="names the term 'car'"):
        topic_model(seed_topics=[["car"]]).fit(X)
    with pytest.raises(ValueError, match="has 4 topics but n_components=3"):
        topic_model(seed_topics=[[0]] * 4).fit(X)
    with pytest.raises(ValueError, match="is empty"):
        topic_model(seed_topics=[[]]).fit(X)
