"""Faults during fit: interrupts, divergence, failing grid points."""

import numpy as np
import pytest
import torch
from conftest import small_vae
from numpy.testing import assert_array_equal
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import GridSearchCV

import skvae._model.training as training
from skvae._embedder import fitted_state
from skvae._model.state import FittedState
from skvae.exceptions import TrainingDivergedError, TrainingStoppedWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N_SAMPLES = 20
STEPS_PER_EPOCH = 2


def small(**params):
    # Two minibatches per epoch, with or without the 2 validation rows.
    batch_size = 9 if params.get("early_stopping") else 10
    defaults = dict(hidden_layer_sizes=(8,), max_iter=10, batch_size=batch_size)
    return small_vae(**{**defaults, **params})


@pytest.fixture
def X():
    return np.random.RandomState(0).poisson(2.0, size=(N_SAMPLES, 6)).astype(float)


class Faults:
    """Records the weights after each epoch and fails in a chosen epoch.

    ``fail_in_epoch`` (1-based) raises ``error`` after the first of that epoch's
    minibatch steps, so the live weights differ from every recorded epoch's.
    ``losses`` / ``scores`` replace the epochs' training losses / validation
    ELBOs, to choose which epoch is the best.
    """

    def __init__(self, monkeypatch, fail_in_epoch, error, losses=None, scores=None):
        self.states, self.n_steps = [], 0
        real_epoch, real_step = training.run_single_epoch, training.train_step

        def epoch(network, *args):
            loss = real_epoch(network, *args)
            self.states.append(FittedState.of(network.spec, network).weights)
            return loss if losses is None else losses[len(self.states) - 1]

        def step(*args):
            self.n_steps += 1
            if self.n_steps == (fail_in_epoch - 1) * STEPS_PER_EPOCH + 2:
                raise error
            return real_step(*args)

        monkeypatch.setattr(training, "run_single_epoch", epoch)
        monkeypatch.setattr(training, "train_step", step)
        if scores is not None:
            scores_left = iter(scores)
            monkeypatch.setattr(
                training, "validation_score", lambda *a: next(scores_left)
            )


def assert_state_equal(vae, state):
    weights = fitted_state(vae).weights
    assert weights.keys() == state.keys()
    for name, value in state.items():
        assert_array_equal(weights[name], value, err_msg=name)


def test_interrupt_keeps_the_epoch_with_the_lowest_training_loss(X, monkeypatch):
    faults = Faults(monkeypatch, 4, KeyboardInterrupt, losses=[5.0, 3.0, 4.0])
    vae = small()
    with pytest.warns(TrainingStoppedWarning, match=r"interrupted .*epoch 4.*epoch 2"):
        vae.fit(X)
    assert vae.n_iter_ == 3
    assert vae.loss_curve_ == [5.0, 3.0, 4.0]
    assert_state_equal(vae, faults.states[1])
    assert np.all(np.isfinite(vae.transform(X)))


def test_interrupt_keeps_the_best_validation_epoch(X, monkeypatch):
    faults = Faults(monkeypatch, 4, KeyboardInterrupt, scores=[-9.0, -7.0, -8.0])
    vae = small(early_stopping=True)
    with pytest.warns(TrainingStoppedWarning, match="best validation ELBO"):
        vae.fit(X)
    assert vae.validation_scores_ == [-9.0, -7.0, -8.0]
    assert vae.best_validation_score_ == -7.0
    assert_state_equal(vae, faults.states[1])


def test_interrupt_during_kl_warm_up_keeps_the_latest_epoch(X, monkeypatch):
    faults = Faults(monkeypatch, 3, KeyboardInterrupt, losses=[3.0, 5.0])
    with pytest.warns(TrainingStoppedWarning, match="epoch 2 "):
        vae = small(kl_warmup_iter=5).fit(X)
    assert_state_equal(vae, faults.states[1])


def test_interrupt_in_the_first_epoch_leaves_the_estimator_unfitted(X, monkeypatch):
    vae = small().fit(X)  # an earlier model must not survive either
    Faults(monkeypatch, 1, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        vae.fit(X)
    assert not hasattr(vae, "n_features_in_")
    with pytest.raises(NotFittedError):
        vae.transform(X)


def test_divergence_with_early_stopping_restores_the_best_epoch(X, monkeypatch):
    error = TrainingDivergedError("The training loss became NaN or infinite")
    faults = Faults(monkeypatch, 3, error, scores=[-7.0, -9.0])
    vae = small(early_stopping=True)
    with pytest.warns(TrainingStoppedWarning, match=r"diverged .*epoch 3.*epoch 1"):
        vae.fit(X)
    assert vae.n_iter_ == 2
    assert_state_equal(vae, faults.states[0])


def test_divergence_without_early_stopping_raises(X, monkeypatch):
    Faults(monkeypatch, 3, TrainingDivergedError("NaN or infinite loss"))
    vae = small()
    with pytest.raises(TrainingDivergedError, match="NaN or infinite"):
        vae.fit(X)
    assert not hasattr(vae, "n_features_in_")


def test_divergence_before_any_validation_score_raises():
    X = np.random.RandomState(0).normal(size=(50, 4)) * 1e20
    vae = small(early_stopping=True, learning_rate_init=1e30, likelihood="gaussian")
    with pytest.raises(TrainingDivergedError, match="NaN or infinite"):
        vae.fit(X)
    with pytest.raises(NotFittedError):
        vae.transform(X)


def test_nan_weights_after_the_last_step_are_never_stored(X, monkeypatch):
    real_step = training.train_step

    def step(network, *args):
        loss = real_step(network, *args)
        with torch.no_grad():  # a finite loss whose update broke the weights
            next(network.parameters()).fill_(float("nan"))
        return loss

    monkeypatch.setattr(training, "train_step", step)
    vae = small(max_iter=1)
    with pytest.raises(TrainingDivergedError, match="NaN or infinite"):
        vae.fit(X)
    assert not hasattr(vae, "n_features_in_")


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("error_score", [np.nan, "raise"])
def test_a_failing_grid_point_goes_through_error_score(X, error_score):
    # latent="topic" needs a count likelihood: that grid point fails in fit.
    grid = GridSearchCV(
        small(likelihood="gaussian", max_iter=2),
        {"latent": ["gaussian", "topic"]},
        cv=2,
        error_score=error_score,
    )
    if error_score == "raise":
        with pytest.raises(ValueError, match="latent='topic' needs the 'multinomial'"):
            grid.fit(X)
        return
    with pytest.warns(FitFailedWarning, match="latent='topic' needs the 'multinomial'"):
        grid.fit(X)
    results = grid.cv_results_
    scores = dict(zip(results["param_latent"], results["mean_test_score"], strict=True))
    assert np.isfinite(scores["gaussian"]) and np.isnan(scores["topic"])
    assert grid.best_params_ == {"latent": "gaussian"}
