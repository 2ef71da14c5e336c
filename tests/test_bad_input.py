"""Bad input gets a clear, early error naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import skvae._embedder
from skvae import VAEEmbedder


def fast(**params):
    return VAEEmbedder(n_components=2, max_iter=2, random_state=0, **params)


@pytest.fixture
def X():
    return np.random.RandomState(0).poisson(2.0, size=(20, 5)).astype(float)


@pytest.fixture(autouse=True)
def _no_training_on_bad_input(request, monkeypatch):
    """Errors must come before any network is built."""
    if "trains" in request.keywords:
        return

    def refuse(*args, **kwargs):
        raise AssertionError("a network was built for bad input")

    monkeypatch.setattr(skvae._embedder, "create_network", refuse)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_input_is_rejected(X, value):
    # NaN means "missing" and is accepted; infinity is an error.
    X[3, 2] = value
    with pytest.raises(ValueError, match="contains infinity"):
        fast().fit(X)


@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "bernoulli"])
def test_count_likelihoods_reject_negative_values(X, likelihood):
    X[0, 0] = -1
    with pytest.raises(ValueError, match=f"Negative values .*{likelihood}"):
        fast(likelihood=likelihood).fit(X)


def test_bernoulli_rejects_values_above_one(X):
    with pytest.raises(ValueError, match=r"bernoulli.*\[0, 1\]"):
        fast(likelihood="bernoulli").fit(X)


@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.empty((0, 5)), "0 sample"),
        (np.empty((5, 0)), "0 feature"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert"),
        (np.ones((2, 2, 2)), "Found array with dim 3"),
    ],
)
def test_malformed_input_is_rejected(X_bad, message):
    with pytest.raises(ValueError, match=message):
        fast().fit(X_bad)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"beta": -1.0}, "beta"),
        ({"n_components": 0}, "n_components"),
        ({"likelihood": "student"}, "likelihood"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
        ({"device": "quantum"}, "device"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
    ],
)
def test_bad_parameters_are_rejected(X, params, message):
    with pytest.raises(ValueError, match=message):
        VAEEmbedder(**params).fit(X)


def test_early_stopping_needs_two_samples(X):
    with pytest.raises(ValueError, match="at least 2 samples"):
        fast(early_stopping=True).fit(X[:1])


@pytest.mark.trains
def test_errors_after_fit(X):
    vae = fast().fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but VAEEmbedder"):
        vae.transform(X[:, :4])
    with pytest.raises(ValueError, match="Negative values"):
        vae.transform(-X)
    with pytest.raises(ValueError, match="contains infinity"):
        vae.score(np.full_like(X, np.inf))
    with pytest.raises(ValueError, match="n_components=2"):
        vae.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)


@pytest.mark.parametrize(
    "method, args",
    [
        ("transform", ("X",)),
        ("score", ("X",)),
        ("score_samples", ("X",)),
        ("inverse_transform", (np.zeros((1, 2)),)),
        ("sample", (3,)),
        ("get_feature_names_out", ()),
    ],
)
def test_unfitted_use_raises_not_fitted(X, method, args):
    args = tuple(X if isinstance(a, str) else a for a in args)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(VAEEmbedder(), method)(*args)
