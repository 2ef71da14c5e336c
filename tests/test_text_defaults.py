"""Defaults for what users feed after a scikit-learn vectorizer."""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_text_corpus
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from skvae import VAEEmbedder
from skvae._embedder import fitted_state

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

VECTORIZERS = {
    "counts": CountVectorizer(),
    "binary": CountVectorizer(binary=True),
    "tfidf": TfidfVectorizer(),
    "tfidf sublinear": TfidfVectorizer(sublinear_tf=True),
    "tfidf unnormalised": TfidfVectorizer(norm=None),
    "tfidf sublinear unnormalised": TfidfVectorizer(sublinear_tf=True, norm=None),
}


@pytest.fixture(scope="module")
def text():
    return make_text_corpus()


def small_text_model(**params):
    return VAEEmbedder(
        **{"n_components": 8, "max_iter": 3, "random_state": 0, **params}
    )


@pytest.mark.parametrize("name", list(VECTORIZERS))
def test_auto_reads_every_vectorizer_output_as_a_bag_of_words(text, name):
    X = VECTORIZERS[name].fit_transform(text[0])
    assert X.nnz / np.prod(X.shape) < 0.1  # as sparse as real text
    vae = small_text_model().fit(X)
    assert vae.likelihood_ == "multinomial"
    # Soft counts are put on the counts' scale: a median entry weighs 1.
    scale = fitted_state(vae).weights["likelihood.count_scale"][0]
    integer = name in ("counts", "binary")
    expected = 1.0 if integer else np.median(X.data)
    np.testing.assert_allclose(scale, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "make_X, expected",
    [
        # Dense measurements with few zeros are not bags of words.
        (lambda rng: rng.uniform(size=(40, 6)), "gaussian"),
        (lambda rng: rng.binomial(1, 0.5, size=(40, 6)), "bernoulli"),
        # Mostly zeros, fractional: soft counts.
        (
            lambda rng: sp.random(40, 200, density=0.05, random_state=rng).toarray(),
            "multinomial",
        ),
    ],
)
def test_auto_tells_bags_of_words_from_dense_data(make_X, expected):
    X = make_X(np.random.RandomState(0))
    assert small_text_model(max_iter=1).fit(X).likelihood_ == expected


@pytest.mark.parametrize("name", ["tfidf", "tfidf sublinear"])
def test_tfidf_input_keeps_most_latent_dimensions_active(text, name):
    # The Gaussian likelihood that "auto" used to pick for TF-IDF left every
    # posterior mean within a variance of 0.1 of the prior's (0 active);
    # unscaled soft counts left about half.
    X = VECTORIZERS[name].fit_transform(text[0])
    vae = VAEEmbedder(8, max_iter=40, random_state=0).fit(X)
    assert vae.n_active_components_ >= 6
    Z = vae.transform(X)
    assert np.sum(Z.var(axis=0) > 0.1) == vae.n_active_components_


def test_n_active_components_counts_collapsed_dimensions(text):
    X = VECTORIZERS["counts"].fit_transform(text[0])
    # A KL weight large enough to collapse most dimensions, and a small one.
    collapsed = VAEEmbedder(8, beta=50.0, max_iter=20, random_state=0).fit(X)
    informative = VAEEmbedder(8, beta=0.5, max_iter=20, random_state=0).fit(X)
    assert collapsed.n_active_components_ < informative.n_active_components_
    assert informative.n_active_components_ == informative.active_components_.sum()
