"""When the word-dropout phase ends: the loss rules and the settled-embedding rule."""

from collections import deque
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small_vae

import skvae._training as training
from skvae._training import embeddings_settled, linear_cka

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# n_iter_no_change large: the loss rules never end the dropout phase within
# max_iter, so only the settled-embedding rule can (a tiny tol keeps it on).
fit_with_dropout = partial(
    small_vae,
    n_components=3,
    hidden_layer_sizes=(16,),
    input_dropout=0.8,
    tol=1e-6,
    n_iter_no_change=100,
    max_iter=12,
    batch_size=500,
)


def counts(n_rows, seed=0):
    return sp.csr_matrix(np.random.RandomState(seed).poisson(0.3, size=(n_rows, 40)))


def dropout_per_epoch(monkeypatch):
    """Record the word-dropout rate each training epoch runs with."""
    rates = []
    original = training.run_single_epoch

    def spy(network, optimizer, X, weight, settings, rng):
        rates.append(settings.input_dropout)
        return original(network, optimizer, X, weight, settings, rng)

    monkeypatch.setattr(training, "run_single_epoch", spy)
    return rates


def test_cka_ignores_rotation_scale_and_shift():
    rng = np.random.RandomState(0)
    a = rng.normal(size=(200, 5))
    rotation, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    assert linear_cka(a, 3.0 * a @ rotation + 7.0) == pytest.approx(1.0)
    b = rng.normal(size=(200, 5))
    assert linear_cka(a, b) == pytest.approx(linear_cka(b, a))
    assert linear_cka(a, b) < 0.2


def test_settled_compares_the_newest_with_the_oldest_epoch():
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=(100, 4)), rng.normal(size=(100, 4))
    history = deque([a, b, b], maxlen=3)
    assert not embeddings_settled(history, tol=1e-3)
    history.append(b)
    assert embeddings_settled(history, tol=1e-3)
    assert not embeddings_settled(history, tol=0.0)
    assert not embeddings_settled(deque([b, b], maxlen=3), tol=1e-3)
    # The distance allowed is 7.5 tol n_components ** 0.25: a and b are far
    # apart, so only a huge tol calls them settled.
    assert embeddings_settled(deque([a, b], maxlen=2), tol=1.0)
    assert not embeddings_settled(deque([a, b], maxlen=2), tol=1e-3)


def test_settled_embeddings_end_the_dropout_phase(monkeypatch):
    rates = dropout_per_epoch(monkeypatch)
    # A step too small to move the embeddings: they settle at the first check,
    # once the probe has _SETTLED_LAG + 1 epochs of history.
    vae = fit_with_dropout(learning_rate_init=1e-7).fit(counts(1000))
    first_without = training._SETTLED_LAG + 1
    assert rates[:first_without] == [0.8] * first_without
    assert set(rates[first_without:]) == {0.0}
    assert vae.n_iter_ == 12


def test_moving_embeddings_keep_the_dropout_phase(monkeypatch):
    rates = dropout_per_epoch(monkeypatch)
    fit_with_dropout(learning_rate_init=1e-2).fit(counts(1000))
    assert rates == [0.8] * 12


@pytest.mark.parametrize(
    "n_rows, tol", [(999, 1e-6), (1000, 0.0)], ids=["few rows", "tol 0"]
)
def test_settled_rule_is_off(monkeypatch, n_rows, tol):
    rates = dropout_per_epoch(monkeypatch)
    fit_with_dropout(learning_rate_init=1e-7, tol=tol).fit(counts(n_rows))
    assert rates == [0.8] * 12
