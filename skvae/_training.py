"""The training loop, read top-down: fit_loop -> run_single_epoch -> train_step.

It works on a float32 network and validated numpy / scipy.sparse input; the
sklearn facade owns seeding, validation of parameters and the fitted state.

The loop keeps a copy of the best weights seen so far (best validation ELBO,
or lowest training loss), so that an interrupted fit, or a diverged one with a
validation set, still ends with a usable model.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from ._batching import rows_to_tensor, shuffled_batches
from ._inference import elbo, posterior_mean, validation_noise
from ._masking import drop_entries, hide_observed
from ._network import VAENetwork
from ._optim import LazyAdam
from .exceptions import TrainingDivergedError

_DIVERGED_MESSAGE = (
    "The training loss became NaN or infinite; try a smaller "
    "learning_rate_init or check the input for extreme values."
)

# The word-dropout phase also ends when the embeddings of a fixed probe of
# training rows have settled: when the linear CKA distance (1 - CKA; CKA is a
# similarity up to rotation and scale, which is what a downstream model sees)
# between this epoch's posterior means and those _SETTLED_LAG epochs before
# falls below _SETTLED_PER_TOL * tol * n_components ** 0.25 (0.020 at the
# default tol and 50 dimensions).  At 20k terms the loss keeps falling past
# 0.1% an epoch for 20 epochs after that point while test accuracy stays
# flat.  Test accuracy levels off later at fewer dimensions, where the
# distance is smaller then (0.016 at 20, 0.020 at 50): hence the slow growth
# with n_components (docs/model.md, "When to stop").
_SETTLED_LAG = 5
_SETTLED_PER_TOL = 7.5
# Rows in the probe; with fewer training rows the rule is off (CKA over a few
# rows in many dimensions is close to 1 from the start).
_PROBE_ROWS = 1000


@dataclass(frozen=True)
class TrainingSettings:
    """The estimator's hyper-parameters that shape the loop."""

    max_iter: int
    batch_size: int
    learning_rate_init: float
    beta: float
    kl_warmup_iter: int
    shuffle: bool
    tol: float
    n_iter_no_change: int
    verbose: int
    # Share of observed entries hidden from the encoder at each step (0: none),
    # as NaN for data with missing values, else as zeros (see _masking).
    input_dropout: float = 0.0
    hide_as_missing: bool = False
    # Features sampled to estimate the multinomial's normaliser (None: exact).
    softmax_samples: int | None = None
    # Precision of the decoder's product over the features (None: float32).
    matmul_dtype: torch.dtype | None = None


@dataclass
class TrainingHistory:
    """What happened during training, one entry per epoch."""

    loss_curve: list[float] = field(default_factory=list)
    validation_scores: list[float] | None = None
    best_score: float = -np.inf
    # Epoch (1-based) whose weights were restored after a stop, or 0.
    best_epoch: int = 0
    n_iter: int = 0
    converged: bool = False
    # Why training ended early with the best weights: "interrupted" or
    # "diverged"; None when it ran to convergence or max_iter.
    stop_reason: str | None = None
    # Last epoch with word dropout before the phase without it, or 0.
    polish_epoch: int = 0


def kl_weight(epoch: int, settings: TrainingSettings) -> float:
    """beta, ramped up linearly over the first ``kl_warmup_iter`` epochs."""
    ramp = min(1.0, (epoch + 1) / (settings.kl_warmup_iter + 1))
    return settings.beta * ramp


def fit_loop(
    network: VAENetwork,
    X_train,
    X_val,
    settings: TrainingSettings,
    rng: np.random.RandomState,
) -> TrainingHistory:
    """Train ``network`` in place until convergence or ``max_iter`` epochs.

    With a validation set, training stops when the validation ELBO stops
    improving and the weights of the best epoch are restored; without one,
    when the training loss stops improving: when no epoch of the last
    ``n_iter_no_change`` beat the best by ``tol`` (relative).  With word
    dropout, whose loss keeps falling by a hair every epoch long after the
    embeddings stopped changing, also when those epochs improved it by less
    than ``tol`` per epoch on average, or when the embeddings of a fixed
    probe of training rows have settled (:func:`embeddings_settled`; only
    with at least 1,000 training rows).

    With word dropout (``input_dropout`` on complete data), convergence
    starts a last phase without it, of at most ``n_iter_no_change`` epochs
    (or until it converges): the encoder, trained on a fifth of each
    document, then adapts to whole documents, which restores the ELBO and
    perplexity that the dropout costs while the embeddings keep what it
    gained (docs/model.md).

    A KeyboardInterrupt after the first epoch restores the best weights so far
    and returns, as does a diverging loss once a validation score exists;
    ``stop_reason`` says which.  Before that, both propagate.
    """
    optimizer = make_optimizer(network, settings)
    history = TrainingHistory(validation_scores=None if X_val is None else [])
    best_state = None
    no_improvement = 0
    # Epochs left without word dropout; None until that phase starts.
    polishing_left = None
    epoch_settings = settings
    # Scores since the warm-up (or since the phase without dropout began).
    scores: list[float] = []
    dropping = drops_words(settings)
    probe = probe_rows(X_train) if dropping and settings.tol > 0 else None
    probe_history: deque[np.ndarray] = deque(maxlen=_SETTLED_LAG + 1)
    epochs = tqdm(
        range(settings.max_iter),
        desc="VAEEmbedder",
        unit="epoch",
        disable=not settings.verbose,
        leave=False,
    )
    try:
        for epoch in epochs:
            weight = kl_weight(epoch, settings)
            loss = run_single_epoch(
                network, optimizer, X_train, weight, epoch_settings, rng
            )
            score = -loss if X_val is None else validation_score(network, X_val)
            # Recorded together, so an interrupt leaves whole epochs only.
            history.loss_curve.append(loss)
            if X_val is not None:
                history.validation_scores.append(score)
            history.n_iter = epoch + 1
            epochs.set_postfix(loss=f"{loss:.4g}", refresh=False)
            if settings.verbose > 1:
                print(f"Iteration {epoch + 1}, loss = {loss:.8f}")
            if epoch < settings.kl_warmup_iter:
                # The objective itself still changes during warm-up: the latest
                # weights are the best guess, and convergence is not checked.
                best_state, history.best_epoch = snapshot(network), epoch + 1
                continue
            best = history.best_score
            if not np.isfinite(best) or score > best + settings.tol * abs(best):
                no_improvement = 0
            else:
                no_improvement += 1
            if score > history.best_score:
                history.best_score = score
                best_state, history.best_epoch = snapshot(network), epoch + 1
            if polishing_left is not None:
                polishing_left -= 1
            scores.append(score)
            if dropping and probe is not None:
                probe_history.append(probe_embedding(network, probe))
            if (
                no_improvement >= settings.n_iter_no_change
                or (dropping and slow_progress(scores, settings))
                or (dropping and embeddings_settled(probe_history, settings.tol))
                or polishing_left == 0
            ):
                if polishing_left is None and drops_words(settings):
                    epoch_settings = replace(settings, input_dropout=0.0)
                    network.freeze_posterior_means()
                    polishing_left = settings.n_iter_no_change
                    history.polish_epoch = epoch + 1
                    no_improvement = 0
                    dropping = False
                    continue
                history.converged = True
                break
    except KeyboardInterrupt:
        if best_state is None:
            raise
        history.stop_reason = "interrupted"
    except TrainingDivergedError:
        if best_state is None or X_val is None:
            raise
        history.stop_reason = "diverged"
    finally:
        epochs.close()
        network.requires_grad_(True)
    if best_state is not None and (X_val is not None or history.stop_reason):
        network.load_state_dict(best_state)
    return history


def slow_progress(scores: list[float], settings: TrainingSettings) -> bool:
    """Whether the last ``n_iter_no_change`` epochs improved the score by less
    than ``tol`` per epoch on average (relative to its size).

    A loss that keeps falling by a hair every epoch (with word dropout it
    does for a hundred epochs) never goes ``n_iter_no_change`` epochs without
    beating its best, but stops being worth its epochs.
    """
    window = settings.n_iter_no_change
    if len(scores) <= window:
        return False
    then, now = scores[-window - 1], scores[-1]
    return now - then < settings.tol * window * abs(then)


def probe_rows(X):
    """The rows whose embeddings :func:`embeddings_settled` follows: 1,000
    evenly spaced rows (no random draws, so the fit's stream is untouched),
    or None for a smaller X."""
    if X.shape[0] < _PROBE_ROWS:
        return None
    return X[np.linspace(0, X.shape[0] - 1, _PROBE_ROWS).astype(np.intp)]


def probe_embedding(network: VAENetwork, probe) -> np.ndarray:
    """Posterior means of the probe rows, in eval mode."""
    with eval_mode(network):
        return posterior_mean(network, probe)


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
    """Whether the probe's embeddings moved by less than
    ``7.5 * tol * n_components ** 0.25`` in CKA distance (1 - CKA) between
    the oldest and the newest epoch of ``history`` (``_SETTLED_LAG`` epochs
    apart once it is full)."""
    if len(history) < history.maxlen:
        return False
    newest, oldest = history[-1], history[0]
    allowed = _SETTLED_PER_TOL * tol * newest.shape[1] ** 0.25
    return 1.0 - linear_cka(newest, oldest) < allowed


def drops_words(settings: TrainingSettings) -> bool:
    """Whether training hides entries as zeros (word dropout), not as NaN."""
    return settings.input_dropout > 0 and not settings.hide_as_missing


@contextmanager
def eval_mode(network: VAENetwork):
    """Run a measurement in eval mode (no encoder dropout, batch norm's
    running statistics), then go back to training mode."""
    network.eval()
    try:
        yield
    finally:
        network.train()


def validation_score(network: VAENetwork, X_val) -> float:
    """Mean validation ELBO, computed in eval mode with four cheap draws."""
    with eval_mode(network):
        return float(elbo(network, X_val, noise=validation_noise).mean())


def snapshot(network: VAENetwork) -> dict[str, torch.Tensor]:
    """A copy of the weights, to restore the best epoch later."""
    return {k: v.detach().clone() for k, v in network.state_dict().items()}


def make_optimizer(
    network: VAENetwork, settings: TrainingSettings
) -> torch.optim.Optimizer:
    # The fused implementation updates all parameters in one kernel: a quarter
    # of the step time of the per-tensor loop on small networks.  On CPU the
    # encoder's vocabulary-sized weight gets a row-sparse gradient when a
    # batch shows it under 15% of the terms, and only those rows are updated
    # (skvae._optim, skvae._batching.matmul).
    return LazyAdam(network.parameters(), lr=settings.learning_rate_init, fused=True)


def optimizer_state(
    optimizer: torch.optim.Optimizer, network: VAENetwork
) -> dict[str, dict[str, np.ndarray]]:
    """Adam's moments per parameter name, as numpy (for partial_fit)."""
    state = {}
    for name, parameter in network.named_parameters():
        moments = optimizer.state.get(parameter)
        if moments:
            state[name] = {
                key: value.detach().cpu().numpy().copy()
                for key, value in moments.items()
            }
    return state


def load_optimizer_state(
    optimizer: torch.optim.Optimizer,
    network: VAENetwork,
    state: dict[str, dict[str, np.ndarray]],
) -> None:
    """Inverse of :func:`optimizer_state`."""
    for name, parameter in network.named_parameters():
        if name in state:
            optimizer.state[parameter] = {
                key: torch.tensor(
                    np.array(value),
                    # Adam keeps its step counter as a float32 tensor.
                    dtype=parameter.dtype if value.ndim else torch.float32,
                    device=parameter.device,
                )
                for key, value in state[name].items()
            }


def run_single_epoch(
    network: VAENetwork,
    optimizer: torch.optim.Optimizer,
    X,
    weight: float,
    settings: TrainingSettings,
    rng: np.random.RandomState,
) -> float:
    """One pass over X in minibatches; returns the mean per-sample loss."""
    network.train()
    placement = next(network.parameters())
    total, n_seen = 0.0, 0
    for rows in shuffled_batches(
        X.shape[0], settings.batch_size, rng, settings.shuffle
    ):
        x = rows_to_tensor(
            X,
            rows,
            dtype=placement.dtype,
            device=placement.device,
            with_transpose=True,
        )
        hide = hide_observed if settings.hide_as_missing else drop_entries
        x_seen = hide(x, settings.input_dropout)
        x_scored = network.training_target(x)
        loss = train_step(network, optimizer, x_scored, weight, x_seen, settings)
        total += loss * len(rows)
        n_seen += len(rows)
    # The last step's loss was finite, but its update may not be: a model with
    # NaN weights must never be stored.
    if not all(torch.isfinite(p).all() for p in network.parameters()):
        raise TrainingDivergedError(_DIVERGED_MESSAGE)
    return total / n_seen


def training_precision(network: VAENetwork, settings: TrainingSettings):
    """The decoder product's dtype in a training step: the settings' lower
    precision, or the network's own (a step always names one, so that the
    decoder writes into its reused buffers)."""
    return settings.matmul_dtype or next(network.parameters()).dtype


def train_step(
    network: VAENetwork,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    weight: float,
    encoder_x: torch.Tensor | None = None,
    settings: TrainingSettings | None = None,
) -> float:
    """One gradient step on the negative ELBO of a minibatch.

    ``x`` is what the likelihood scores (the damped counts in topic mode) and
    ``encoder_x`` what the encoder sees of the minibatch (default ``x``);
    ``settings`` supplies the sampled objective and the matmul precision
    (see :meth:`VAENetwork.elbo_terms`).
    """
    optimizer.zero_grad(set_to_none=True)
    log_lik, kl = network.elbo_terms(
        x,
        encoder_x=encoder_x,
        softmax_samples=None if settings is None else settings.softmax_samples,
        matmul_dtype=None
        if settings is None
        else training_precision(network, settings),
    )
    loss = (weight * kl - log_lik).mean()
    if not torch.isfinite(loss):
        raise TrainingDivergedError(_DIVERGED_MESSAGE)
    loss.backward()
    optimizer.step()
    return loss.item()
