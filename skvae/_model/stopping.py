"""When a training phase ends: rules the loop asks at the end of each epoch.

Each rule sees the epoch's score (the validation ELBO, or minus the training
loss) and the network, keeps the history it needs, and says whether the phase
should end, as skorch's callbacks do in ``on_epoch_end``.  The loop asks every
rule every epoch (after the KL warm-up), so each keeps its own history
whatever the others decide; a phase ends when any rule says so.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .inference import posterior_mean
from .network import VAENetwork

# The word-dropout phase also ends when the embeddings of a fixed probe of
# training rows have settled: when the linear CKA distance (1 - CKA; CKA is a
# similarity up to rotation and scale, which is what a downstream model sees)
# between this epoch's posterior means and those _SETTLED_LAG epochs before
# falls below _SETTLED_PER_TOL * tol * n_components ** 0.25.  The loss keeps
# falling by a hair long after that point while downstream accuracy stays
# flat; accuracy levels off later at fewer dimensions, hence the slow growth
# with n_components (docs/notes/2026-12-06-model-variants.md, "When to stop").
_SETTLED_LAG = 5
_SETTLED_PER_TOL = 7.5
# Rows in the probe; with fewer training rows the rule is off (CKA over a few
# rows in many dimensions is close to 1 from the start).
_PROBE_ROWS = 1000


class StoppingRule:
    """A rule that ends a training phase."""

    def on_epoch_end(self, network: VAENetwork, score: float) -> bool:
        """Record the epoch; True ends the phase."""
        raise NotImplementedError


class NoImprovement(StoppingRule):
    """No epoch of the last ``n_iter_no_change`` beat the best score by
    ``tol`` (relative to its size).

    ``best`` carries a best score over from an earlier phase.
    """

    def __init__(self, tol: float, n_iter_no_change: int, best: float = -np.inf):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best = best
        self.epochs_without = 0

    def on_epoch_end(self, network, score):
        best = self.best
        if not np.isfinite(best) or score > best + self.tol * abs(best):
            self.epochs_without = 0
        else:
            self.epochs_without += 1
        if score > best:
            self.best = score
        return self.epochs_without >= self.n_iter_no_change


class SlowProgress(StoppingRule):
    """The last ``n_iter_no_change`` epochs improved the score by less than
    ``tol`` per epoch on average (relative to its size).

    A loss that keeps falling by a hair every epoch (with word dropout it
    does for a hundred epochs) never goes ``n_iter_no_change`` epochs without
    beating its best, but stops being worth its epochs.
    """

    def __init__(self, tol: float, n_iter_no_change: int):
        self.tol = tol
        self.window = n_iter_no_change
        self.scores: list[float] = []

    def on_epoch_end(self, network, score):
        self.scores.append(score)
        if len(self.scores) <= self.window:
            return False
        then, now = self.scores[-self.window - 1], self.scores[-1]
        return now - then < self.tol * self.window * abs(then)


class EmbeddingsSettled(StoppingRule):
    """The posterior means of a fixed probe of training rows moved by less
    than ``7.5 * tol * n_components ** 0.25`` in CKA distance (1 - CKA)
    over the last ``_SETTLED_LAG`` epochs."""

    def __init__(self, probe, tol: float):
        self.probe = probe
        self.tol = tol
        self.history: deque[np.ndarray] = deque(maxlen=_SETTLED_LAG + 1)

    @classmethod
    def for_rows(cls, X, tol: float) -> EmbeddingsSettled | None:
        """The rule on 1,000 evenly spaced rows of X (no random draws, so the
        fit's stream is untouched), or None for a smaller X or ``tol=0``."""
        if X.shape[0] < _PROBE_ROWS or tol <= 0:
            return None
        return cls(X[np.linspace(0, X.shape[0] - 1, _PROBE_ROWS).astype(np.intp)], tol)

    def on_epoch_end(self, network, score):
        with network.evaluating():
            self.history.append(posterior_mean(network, self.probe))
        return embeddings_settled(self.history, self.tol)


class StepBudget(StoppingRule):
    """A phase of at most ``n_steps`` minibatch steps, ``steps_per_epoch``
    an epoch: a corpus with more batches an epoch trains fewer epochs."""

    def __init__(self, n_steps: int, steps_per_epoch: int):
        self.steps_left = n_steps
        self.steps_per_epoch = steps_per_epoch

    def on_epoch_end(self, network, score):
        self.steps_left -= self.steps_per_epoch
        return self.steps_left <= 0


class EpochBudget(StepBudget):
    """A phase of at most ``n_epochs`` epochs."""

    def __init__(self, n_epochs: int):
        super().__init__(n_epochs, steps_per_epoch=1)


def linear_cka(a: np.ndarray, b: np.ndarray) -> float:
    """Linear centred kernel alignment of two embeddings of the same rows
    (Kornblith et al. 2019): 1 when one is a rotation and scaling of the
    other, in [0, 1] otherwise."""
    a = a.astype(np.float64) - a.mean(axis=0)
    b = b.astype(np.float64) - b.mean(axis=0)
    cross = np.linalg.norm(a.T @ b) ** 2
    scale = np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)
    return float(cross / scale) if scale > 0 else 1.0


def embeddings_settled(history: deque, tol: float) -> bool:
    """Whether the oldest and the newest embeddings of a full ``history`` lie
    within ``7.5 * tol * n_components ** 0.25`` in CKA distance."""
    if len(history) < history.maxlen:
        return False
    newest, oldest = history[-1], history[0]
    allowed = _SETTLED_PER_TOL * tol * newest.shape[1] ** 0.25
    return 1.0 - linear_cka(newest, oldest) < allowed
