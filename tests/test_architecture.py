"""A new latent kind is one class plus its registration: register a toy one
with a hyper-parameter of its own and train it end to end."""

import pickle
from numbers import Real

import numpy as np
import pytest
import torch
from conftest import small_vae
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils._param_validation import Interval, InvalidParameterError

from skvae.extending import (
    GaussianLatent,
    LatentParameter,
    register_latent,
    unregister_latent,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class BoundedLatent(GaussianLatent):
    """A toy kind: the decoder reads scale * tanh(z / scale), so codes lie in
    (-scale, scale)."""

    name = "bounded"
    hyperparameters = {
        "scale": LatentParameter(1.0, [Interval(Real, 0, None, closed="neither")])
    }

    def __init__(self, spec):
        super().__init__(spec)
        self.scale = spec.latent_params["scale"]

    @classmethod
    def resolve_parameters(cls, values, n_features, n_components, feature_names):
        return {"scale": float(values["scale"])}

    def code(self, z):
        return self.scale * torch.tanh(z / self.scale)


@pytest.fixture
def bounded():
    register_latent(BoundedLatent)
    yield
    unregister_latent(BoundedLatent.name)


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


def test_a_registered_kind_takes_its_own_hyper_parameter(bounded, counts):
    vae = small_vae(latent="bounded", latent_params={"scale": 0.5}, max_iter=5)
    Z = vae.fit(counts).transform(counts)
    assert 0.1 < np.abs(Z).max() < 0.5
    # The value travels with the fitted state: a copy serves the same codes.
    assert_allclose(pickle.loads(pickle.dumps(vae)).transform(counts), Z)
    assert clone(vae).get_params()["latent_params"] == {"scale": 0.5}


def test_latent_params_are_checked_before_training(bounded, counts):
    with pytest.raises(InvalidParameterError, match="scale"):
        small_vae(latent="bounded", latent_params={"scale": -1.0}).fit(counts)
    with pytest.raises(ValueError, match=r"does not take.*\['scale'\]"):
        small_vae(latent="bounded", latent_params={"width": 2}).fit(counts)
    with pytest.raises(ValueError, match="parameters of VAEEmbedder itself"):
        small_vae(latent="topic", latent_params={"doc_topic_prior": 2}).fit(counts)
    # Another kind's parameter away from its default would be ignored.
    with pytest.raises(ValueError, match="doc_topic_prior needs latent='topic'"):
        small_vae(latent="bounded", doc_topic_prior=0.5).fit(counts)


def test_registering_a_second_kind_under_a_taken_name_fails(bounded):
    class Other(GaussianLatent):
        name = "bounded"

    with pytest.raises(ValueError, match="already registered"):
        register_latent(Other)
    with pytest.raises(InvalidParameterError, match="bounded"):
        small_vae(latent="nonexistent").fit(np.ones((4, 3)))
