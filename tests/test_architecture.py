"""A new latent kind is one class: register a toy one and train it end to end."""

import numpy as np
import pytest
import torch
from conftest import small_vae
from numpy.testing import assert_allclose
from sklearn.utils._param_validation import StrOptions

from skvae import VAEEmbedder, _latents
from skvae._latents import GaussianLatent

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class BoundedLatent(GaussianLatent):
    """A toy kind: the decoder reads tanh(z), so codes lie in (-1, 1)."""

    name = "bounded"

    def code(self, z):
        return torch.tanh(z)


@pytest.fixture
def bounded(monkeypatch):
    registry = {**_latents.LATENT_CLASSES, BoundedLatent.name: BoundedLatent}
    monkeypatch.setattr(_latents, "LATENT_CLASSES", registry)
    monkeypatch.setattr("skvae._network.LATENT_CLASSES", registry)
    monkeypatch.setattr("skvae._embedder.LATENT_CLASSES", registry)
    constraints = {
        **VAEEmbedder._parameter_constraints,
        "latent": [StrOptions(set(registry))],
    }
    monkeypatch.setattr(VAEEmbedder, "_parameter_constraints", constraints)


def test_a_registered_latent_kind_trains_and_serves(bounded, counts):
    vae = small_vae(latent="bounded", max_iter=20).fit(counts)
    Z = vae.transform(counts)
    # transform returns the code of the posterior mean: inside (-1, 1) ...
    assert np.abs(Z).max() < 1
    # ... and the linear decoder's components_ apply to that code (the
    # multinomial's logits up to each row's normaliser).
    shift = np.log(vae.inverse_transform(Z[:5])) - np.log(
        vae.inverse_transform(np.zeros((1, 2)))
    )
    expected = Z[:5] @ vae.components_
    assert_allclose(
        shift - shift.mean(axis=1, keepdims=True),
        expected - expected.mean(axis=1, keepdims=True),
        atol=1e-8,
    )
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
