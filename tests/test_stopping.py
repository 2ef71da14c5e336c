"""When a training phase ends: each stopping rule alone, then in the loop."""

import contextlib
import warnings
from collections import deque
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_text_corpus, small_vae
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer

import skvae._model.stopping as stopping
import skvae._model.training as training
from skvae._model.stopping import (
    EmbeddingsSettled,
    EpochBudget,
    NoImprovement,
    SlowProgress,
    StepBudget,
    embeddings_settled,
    linear_cka,
)

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


def decisions(rule, scores, network=None):
    return [rule.on_epoch_end(network, score) for score in scores]


def test_no_improvement_waits_n_iter_no_change_epochs():
    rule = NoImprovement(tol=0.01, n_iter_no_change=2)
    # -100 -> -99.5 is within 1% of the best: no improvement; -90 is one.
    scores = [-100, -99.5, -90, -89.9, -95, -80]
    assert decisions(rule, scores) == [False, False, False, False, True, False]
    assert rule.best == -80


def test_no_improvement_continues_from_a_best_score():
    rule = NoImprovement(tol=0.0, n_iter_no_change=1, best=-10.0)
    assert decisions(rule, [-11.0]) == [True]
    rule = NoImprovement(tol=0.0, n_iter_no_change=1, best=-10.0)
    assert decisions(rule, [-9.0]) == [False]


def test_slow_progress_compares_scores_a_window_apart():
    # Each epoch gains 0.1% of the score while tol asks for 1% per epoch.
    scores = [-100 + 0.1 * epoch for epoch in range(5)]
    rule = SlowProgress(tol=0.01, n_iter_no_change=3)
    assert decisions(rule, scores) == [False, False, False, True, True]
    rule = SlowProgress(tol=0.0001, n_iter_no_change=3)
    assert not any(decisions(rule, scores))


def test_epoch_budget_ends_after_its_epochs():
    assert decisions(EpochBudget(3), [0.0] * 3) == [False, False, True]


def test_step_budget_ends_in_the_epoch_that_spends_it():
    assert decisions(StepBudget(10, steps_per_epoch=4), [0.0] * 3) == [
        False,
        False,
        True,
    ]
    assert decisions(StepBudget(8, steps_per_epoch=4), [0.0] * 2) == [False, True]


@pytest.mark.parametrize("doc_length", [8, 150])
def test_epochs_follow_the_data_size(doc_length, monkeypatch):
    """Short rows train without word dropout, long rows with it: either way
    four times the documents (three batches an epoch instead of one) train a
    third of the epochs before the step budget ends the phase."""
    budget = 24
    for n_docs, steps_per_epoch in [(300, 1), (1200, 3)]:
        docs, _ = make_text_corpus(n_docs=n_docs, doc_length=doc_length)
        X = CountVectorizer().fit_transform(docs)
        rates = dropout_per_epoch(monkeypatch)
        # The loss rules never fire (patience beyond max_iter): only the
        # budget ends the first phase.
        vae = small_vae(max_steps=budget, max_iter=40, tol=0, n_iter_no_change=100)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            vae.fit(X)
        first_phase = budget // steps_per_epoch
        if doc_length < 16:  # no word dropout: the budget ends the fit
            assert set(rates) == {0.0}
            assert vae.n_iter_ == first_phase
            assert not [w for w in caught if w.category is ConvergenceWarning]
        else:  # the dropout phase ends there, the last phase follows
            assert rates[0] > 0.0
            assert rates == [rates[0]] * first_phase + [0.0] * (40 - first_phase)


class NetworkStub:
    """Stands in for a network whose posterior means the test supplies."""

    def evaluating(self):
        return contextlib.nullcontext()


def test_embeddings_settled_reads_the_probe_each_epoch(monkeypatch):
    rng = np.random.RandomState(0)
    moving = [rng.normal(size=(1000, 4)) for _ in range(6)]
    settled = moving[-1]
    means = iter([*moving, *[settled] * 6])
    monkeypatch.setattr(stopping, "posterior_mean", lambda network, rows: next(means))
    rule = EmbeddingsSettled.for_rows(sp.csr_matrix((1000, 7)), tol=1e-3)
    assert rule.probe.shape == (1000, 7)
    said = decisions(rule, [0.0] * 12, NetworkStub())
    # Full after 6 epochs; the newest of the last 6 match the oldest from the
    # 11th epoch (_SETTLED_LAG = 5 epochs apart).
    assert said == [False] * 10 + [True, True]
    assert EmbeddingsSettled.for_rows(sp.csr_matrix((999, 7)), tol=1e-3) is None
    assert EmbeddingsSettled.for_rows(sp.csr_matrix((1000, 7)), tol=0.0) is None


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
    first_without = stopping._SETTLED_LAG + 1
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


def test_step_budget_counts_after_the_kl_warm_up():
    docs, _ = make_text_corpus(n_docs=300, doc_length=8)
    X = CountVectorizer().fit_transform(docs)
    vae = small_vae(
        max_steps=6, kl_warmup_iter=4, max_iter=40, tol=0, n_iter_no_change=100
    )
    # One batch an epoch: 4 warm-up epochs, then 6 counted ones.
    assert vae.fit(X).n_iter_ == 10
