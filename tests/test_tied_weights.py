"""tied_weights=True: one vocabulary-sized matrix for encoder and decoder."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skvae import VAEEmbedder
from skvae._embedder import fitted_state

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def vocabulary_parameters(vae):
    n_features = vae.n_features_in_
    return sum(
        value.size
        for name, value in fitted_state(vae).weights.items()
        if n_features in value.shape[:2] and value.ndim == 2
    )


@pytest.mark.parametrize("hidden", [(), (4,), (4, 3), (16, 8, 4)])
@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_tied_weights_work_for_any_hidden_layers(counts, hidden, latent):
    params = dict(hidden_layer_sizes=hidden, latent=latent, max_iter=20, random_state=0)
    tied = VAEEmbedder(4, tied_weights=True, **params).fit(counts)
    untied = VAEEmbedder(4, **params).fit(counts)
    assert tied.loss_curve_[-1] < tied.loss_curve_[0]
    assert np.isfinite(tied.score(counts))
    assert vocabulary_parameters(tied) < vocabulary_parameters(untied)


def test_tied_weights_halve_the_vocabulary_parameters(counts):
    params = dict(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    tied = VAEEmbedder(4, tied_weights=True, **params).fit(counts)
    untied = VAEEmbedder(4, **params).fit(counts)
    # width == n_components: encoder (V x 4) + decoder (V x 4) becomes one matrix.
    assert vocabulary_parameters(tied) * 2 == vocabulary_parameters(untied)


def test_tied_decoder_is_linear_in_components():
    X = np.random.RandomState(0).normal(size=(60, 7)) * 2 + 1
    vae = VAEEmbedder(3, tied_weights=True, max_iter=10, random_state=0).fit(X)
    Z = np.random.RandomState(1).normal(size=(5, 3))
    offset = vae.inverse_transform(np.zeros((1, 3)))
    assert_allclose(vae.inverse_transform(Z), offset + Z @ vae.components_, rtol=1e-6)


def test_tied_weights_with_missing_values(counts):
    X = counts.toarray().astype(float)
    true_value = X[2, 4]
    X[2, 4] = np.nan
    vae = VAEEmbedder(3, tied_weights=True, max_iter=5, random_state=0).fit(X)
    # The shared matrix is the only vocabulary-sized one besides the missing
    # value indicators, which keep their own weights.
    weights = fitted_state(vae).weights
    width = weights["embedding"].shape[1]
    assert weights["encoder.indicator.weight"].shape == (width, X.shape[1])
    assert "decoder.linear.weight" not in weights
    # NaN is read as "not observed": neither as 0 nor as the value it hides.
    Z = vae.transform(X[2:3])
    for filled in (0.0, true_value):
        row = X[2:3].copy()
        row[0, 4] = filled
        assert not np.allclose(Z, vae.transform(row))
