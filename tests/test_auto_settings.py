"""What every "auto" setting resolves to, for each kind of input.

The documented rules (VAEEmbedder's docstring, docs/model.md) on generated
corpora of short and of long documents, counted and TF-IDF-weighted: the
training settings are read before any network is built, so no test trains.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from skvae import VAEEmbedder
from skvae._model.settings import network_spec, training_settings

CPU = torch.device("cpu")


def corpus(n_docs, words_per_doc, n_words=3000, seed=0):
    """Documents of ``words_per_doc`` tokens drawn from a Zipf-like vocabulary."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_words + 1)
    words = rng.choice(n_words, size=(n_docs, words_per_doc), p=p / p.sum())
    return [" ".join(f"w{w}" for w in row) for row in words]


SHORT = corpus(300, 8)  # tweets, titles: under 16 distinct terms a row
LONG = corpus(300, 150)  # posts, articles


def settings(X, **params):
    vae = VAEEmbedder(**params)
    spec = network_spec(vae, X)
    return spec, training_settings(vae, X, spec, CPU)


def mean_terms(X):
    return X.nnz / X.shape[0]


@pytest.mark.parametrize("vectorizer", [CountVectorizer(), TfidfVectorizer()])
def test_word_dropout_keeps_16_terms_of_a_row_visible_on_average(vectorizer):
    short, long = vectorizer.fit_transform(SHORT), vectorizer.fit_transform(LONG)
    assert mean_terms(short) <= 16 < mean_terms(long)
    spec, short_settings = settings(short)
    assert spec.likelihood == "multinomial"
    # Rows of 16 terms or fewer keep all of them; longer rows hide up to 80%.
    assert short_settings.input_dropout == 0.0
    expected = min(0.8, 1 - 16 / mean_terms(long))
    assert settings(long)[1].input_dropout == pytest.approx(expected)
    assert 0.5 < expected <= 0.8


def test_word_dropout_is_off_for_topics_and_other_likelihoods():
    X = CountVectorizer().fit_transform(LONG)
    assert settings(X, latent="topic")[1].input_dropout == 0.0
    assert settings(X, likelihood="poisson")[1].input_dropout == 0.0


def test_data_with_missing_values_hide_their_own_missing_rate():
    rng = np.random.default_rng(0)
    X = rng.poisson(2.0, size=(200, 30)).astype(float)
    X[rng.random(X.shape) < 0.25] = np.nan
    _, resolved = settings(X)
    assert resolved.hide_as_missing
    assert resolved.input_dropout == pytest.approx(np.isnan(X).mean())


def test_the_softmax_is_sampled_only_for_wide_and_sparse_bags_of_words():
    rng = np.random.default_rng(0)
    wide = sp.random(400, 12_000, density=0.002, format="csr", random_state=rng)
    wide.data = np.ceil(wide.data * 3)
    assert settings(wide)[1].softmax_samples == 1000
    narrow = CountVectorizer().fit_transform(SHORT)  # under 10,000 terms
    assert narrow.shape[1] < 10_000
    assert settings(narrow)[1].softmax_samples is None
    dense_rows = sp.random(400, 12_000, density=0.01, format="csr", random_state=rng)
    dense_rows.data = np.ceil(dense_rows.data * 3)
    assert settings(dense_rows)[1].softmax_samples is None
    # Topic mode batch-normalises its logits: always exact.
    assert settings(wide, latent="topic")[1].softmax_samples is None


def test_batch_size_follows_rows_vocabulary_and_latent():
    X = CountVectorizer().fit_transform(LONG)
    assert settings(X)[1].batch_size == 300  # min(500, n_samples)
    assert settings(X, latent="topic")[1].batch_size == 200
    rng = np.random.default_rng(0)
    wide = sp.random(1000, 30_000, density=0.01, format="csr", random_state=rng)
    wide.data = np.ceil(wide.data * 3)
    # Exact softmax: the decoder's (batch, 30,000) block stays within 2**22.
    resolved = settings(wide, softmax_samples=None)[1]
    assert resolved.batch_size == 2**22 // 30_000


def test_learning_rate_and_dropout_depend_on_the_latent():
    X = CountVectorizer().fit_transform(LONG)
    assert settings(X)[1].learning_rate_init == 2e-3
    assert settings(X, latent="topic")[1].learning_rate_init == 1e-3
    assert settings(X)[0].dropout == 0.0
    assert settings(X, latent="topic")[0].dropout == 0.2
