"""Streaming training: partial_fit one chunk at a time."""

import io
from functools import partial

import joblib
import numpy as np
import pytest
from conftest import small_vae
from numpy.testing import assert_allclose, assert_array_equal

import skvae._model.training
from skvae._embedder import fitted_state
from skvae._model.training import TrainingDivergedError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


small = partial(small_vae, n_components=3, hidden_layer_sizes=(32,), max_iter=200)


def stream(vae, X, n_passes, n_chunks=3):
    for _ in range(n_passes):
        for chunk in np.array_split(np.arange(X.shape[0]), n_chunks):
            vae.partial_fit(X[chunk])
    return vae


def test_partial_fit_reaches_the_quality_of_fit(counts):
    # Same minibatches per epoch: 3 chunks of 30 rows, or batches of 30.
    fitted = small(max_iter=40, batch_size=30, tol=0).fit(counts)
    streamed = stream(small(), counts, n_passes=40)
    assert streamed.n_iter_ == 120 and len(streamed.loss_curve_) == 120
    untrained = stream(small(), counts, n_passes=1)
    # Far better than one pass, and close to the fitted model's ELBO.
    assert streamed.score(counts) > untrained.score(counts) + 5
    assert streamed.score(counts) > fitted.score(counts) - 0.05 * abs(
        fitted.score(counts)
    )


def test_partial_fit_state_survives_pickling(counts):
    # Optimizer moments and the RNG travel with the estimator: stopping,
    # saving and resuming gives the same model as streaming without a break.
    straight = stream(small(), counts, n_passes=4)
    resumed = stream(small(), counts, n_passes=2)
    buffer = io.BytesIO()
    joblib.dump(resumed, buffer)
    buffer.seek(0)
    resumed = stream(joblib.load(buffer), counts, n_passes=2)
    assert_array_equal(straight.transform(counts), resumed.transform(counts))
    assert straight.loss_curve_ == resumed.loss_curve_


def test_partial_fit_continues_after_fit(counts):
    vae = small(max_iter=5).fit(counts)
    curve = list(vae.loss_curve_)
    vae.partial_fit(counts)
    assert vae.n_iter_ == 6 and vae.loss_curve_[:5] == curve


def test_fit_after_partial_fit_starts_over(counts):
    vae = stream(small(max_iter=3), counts, n_passes=2)
    vae.fit(counts)
    assert vae.n_iter_ == 3 and fitted_state(vae).optimizer is None


def test_failed_partial_fit_keeps_the_previous_model(counts, monkeypatch):
    vae = stream(small(), counts, n_passes=1)
    Z, n_iter = vae.transform(counts), vae.n_iter_

    def diverge(*args, **kwargs):
        raise TrainingDivergedError("The training loss became NaN or infinite")

    monkeypatch.setattr(skvae._model.training, "run_single_epoch", diverge)
    with pytest.raises(ValueError, match="NaN or infinite"):
        vae.partial_fit(counts)
    assert vae.n_iter_ == n_iter
    assert_array_equal(vae.transform(counts), Z)


def test_first_partial_fit_failure_leaves_the_estimator_unfitted(counts, monkeypatch):
    from sklearn.exceptions import NotFittedError

    def diverge(*args, **kwargs):
        raise TrainingDivergedError("The training loss became NaN or infinite")

    monkeypatch.setattr(skvae._model.training, "run_single_epoch", diverge)
    vae = small()
    with pytest.raises(ValueError):
        vae.partial_fit(counts)
    with pytest.raises(NotFittedError):
        vae.transform(counts)


def test_partial_fit_checks_each_chunk(counts):
    vae = small().partial_fit(counts)
    with pytest.raises(ValueError, match="features"):
        vae.partial_fit(counts[:, :-1])
    negative = counts.toarray().astype(float)
    negative[0, 0] = -1
    with pytest.raises(ValueError, match="Negative values"):
        vae.partial_fit(negative)


def test_partial_fit_topic_mode_streams(counts):
    vae = stream(small(latent="topic"), counts, n_passes=5)
    Z = vae.transform(counts)
    assert_allclose(Z.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        vae.partial_fit(counts[:1])
