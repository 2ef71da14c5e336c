"""The training loop, read top-down: fit_loop -> run_single_epoch -> train_step.

What ends a phase of it is a list of stopping rules (:mod:`skvae._model.stopping`).

It works on a float32 network and validated numpy / scipy.sparse input; the
sklearn facade owns seeding, validation of parameters and the fitted state.

The loop keeps a copy of the best weights seen so far (best validation ELBO,
or lowest training loss), so that an interrupted fit, or a diverged one with a
validation set, still ends with a usable model.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from .._kernels import LazyAdam, rows_to_tensor
from ..exceptions import TrainingDivergedError
from .batching import shuffled_batches, training_batches
from .inference import elbo, validation_noise
from .likelihoods import input_statistics
from .masking import drop_entries, hide_observed
from .network import NetworkSpec, VAENetwork, create_network
from .state import FittedState
from .stopping import (
    EmbeddingsSettled,
    EpochBudget,
    NoImprovement,
    SlowProgress,
    StepBudget,
    StoppingRule,
)

_DIVERGED_MESSAGE = (
    "The training loss became NaN or infinite; try a smaller "
    "learning_rate_init or check the input for extreme values."
)


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
    # Minibatch steps after which the first phase ends (None: no limit).
    max_steps: int | None = None
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


def train_new(
    spec: NetworkSpec,
    X_train,
    X_val,
    settings: TrainingSettings,
    rng: np.random.RandomState,
    device: torch.device,
) -> tuple[FittedState, TrainingHistory]:
    """A new network for ``spec`` trained by :func:`fit_loop` (``fit``)."""
    with seeded_torch(rng, device):
        network = new_network(spec, X_train, device)
        history = fit_loop(network, X_train, X_val, settings, rng)
    return FittedState.of(spec, network), history


def train_one_epoch(
    state: FittedState | None,
    spec: NetworkSpec,
    X,
    n_iter: int,
    settings: TrainingSettings,
    rng: np.random.RandomState,
    device: torch.device,
) -> tuple[FittedState, float]:
    """One pass over X from ``state`` (None: a new network), Adam's moments
    carried over (``partial_fit``); the new state and the epoch's loss."""
    with seeded_torch(rng, device):
        if state is None:
            network = new_network(spec, X, device)
        else:
            network = state.build(device=device).train()
        optimizer = make_optimizer(network, settings)
        if state is not None and state.optimizer is not None:
            load_optimizer_state(optimizer, network, state.optimizer)
        loss = run_single_epoch(
            network, optimizer, X, kl_weight(n_iter, settings), settings, rng
        )
    return FittedState.of(spec, network, optimizer_state(optimizer, network)), loss


@contextmanager
def seeded_torch(rng: np.random.RandomState, device: torch.device):
    """Seed torch from ``rng`` without touching the user's torch RNG."""
    torch_seed = int(rng.randint(np.iinfo(np.int32).max))
    cuda_devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(torch_seed)
        yield


def new_network(spec: NetworkSpec, X, device: torch.device) -> VAENetwork:
    """A freshly initialised float32 network whose statistics come from X."""
    network = create_network(spec, input_statistics(X, spec.likelihood), X)
    return network.to(device=device, dtype=torch.float32)


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
    when the training loss stops improving (:class:`~skvae._model.stopping.\
NoImprovement`).  With word dropout, whose loss keeps falling by a hair
    every epoch long after the embeddings stopped changing, also on
    :class:`~skvae._model.stopping.SlowProgress` or
    :class:`~skvae._model.stopping.EmbeddingsSettled`.  In any case after
    ``max_steps`` minibatch steps (:class:`~skvae._model.stopping.StepBudget`).

    With word dropout (``input_dropout`` on complete data), convergence
    starts a polishing phase without it, of at most ``n_iter_no_change``
    epochs (or until it converges): the encoder, trained on a fifth of each
    document, then adapts to whole documents, which restores the ELBO and
    perplexity that the dropout costs while the embeddings keep what it
    gained (docs/notes/2026-12-06-model-variants.md, "Word dropout").

    A KeyboardInterrupt after the first epoch restores the best weights so far
    and returns, as does a diverging loss once a validation score exists;
    ``stop_reason`` says which.  Before that, both propagate.
    """
    optimizer = make_optimizer(network, settings)
    history = TrainingHistory(validation_scores=None if X_val is None else [])
    epochs = tqdm(
        range(settings.max_iter),
        desc="VAEEmbedder",
        unit="epoch",
        disable=not settings.verbose,
        leave=False,
    )
    trainer = _Trainer(network, optimizer, X_train, X_val, rng, history, epochs)
    # One stream of epochs for both phases: max_iter bounds them together.
    remaining = iter(epochs)
    try:
        history.converged = trainer.run_phase(
            remaining, settings, training_rules(settings, X_train)
        )
        if history.converged and drops_words(settings):
            history.polish_epoch = history.n_iter
            network.freeze_posterior_means()
            history.converged = trainer.run_phase(
                remaining,
                replace(settings, input_dropout=0.0),
                polishing_rules(settings, history.best_score),
            )
    except KeyboardInterrupt:
        if trainer.best_state is None:
            raise
        history.stop_reason = "interrupted"
    except TrainingDivergedError:
        if trainer.best_state is None or X_val is None:
            raise
        history.stop_reason = "diverged"
    finally:
        epochs.close()
        network.requires_grad_(True)
    if trainer.best_state is not None and (X_val is not None or history.stop_reason):
        network.load_state_dict(trainer.best_state)
    return history


def training_rules(settings: TrainingSettings, X_train) -> list[StoppingRule]:
    """What ends the first phase: no improvement, the step budget, and with
    word dropout also slow progress or settled embeddings."""
    rules: list[StoppingRule] = [NoImprovement(settings.tol, settings.n_iter_no_change)]
    if settings.max_steps is not None:
        steps_per_epoch = len(training_batches(X_train.shape[0], settings.batch_size))
        rules.append(StepBudget(settings.max_steps, steps_per_epoch))
    if drops_words(settings):
        rules.append(SlowProgress(settings.tol, settings.n_iter_no_change))
        settled = EmbeddingsSettled.for_rows(X_train, settings.tol)
        if settled is not None:
            rules.append(settled)
    return rules


def polishing_rules(settings: TrainingSettings, best: float) -> list[StoppingRule]:
    """What ends the polishing phase: no improvement on the best score so far,
    or ``n_iter_no_change`` epochs."""
    return [
        NoImprovement(settings.tol, settings.n_iter_no_change, best=best),
        EpochBudget(settings.n_iter_no_change),
    ]


class _Trainer:
    """Runs epochs, records them in the history and keeps the best weights."""

    def __init__(self, network, optimizer, X_train, X_val, rng, history, progress):
        self.network = network
        self.progress = progress
        self.optimizer = optimizer
        self.X_train = X_train
        self.X_val = X_val
        self.rng = rng
        self.history = history
        self.best_state: dict[str, torch.Tensor] | None = None

    def run_phase(self, epochs, settings: TrainingSettings, rules) -> bool:
        """Train on epochs from ``epochs`` until a rule ends the phase (True)
        or the epochs run out (False)."""
        history = self.history
        for epoch in epochs:
            score = self.run_epoch(epoch, settings)
            if epoch < settings.kl_warmup_iter:
                # The objective itself still changes during warm-up: the
                # latest weights are the best guess, and no rule is asked.
                self.keep_best(epoch)
                continue
            if score > history.best_score:
                history.best_score = score
                self.keep_best(epoch)
            # Every rule sees every epoch, so that each keeps its history.
            if any([rule.on_epoch_end(self.network, score) for rule in rules]):
                return True
        return False

    def run_epoch(self, epoch: int, settings: TrainingSettings) -> float:
        """One epoch; returns its score (validation ELBO, or minus the loss)."""
        network, history = self.network, self.history
        loss = run_single_epoch(
            network,
            self.optimizer,
            self.X_train,
            kl_weight(epoch, settings),
            settings,
            self.rng,
        )
        X_val = self.X_val
        score = -loss if X_val is None else validation_score(network, X_val)
        # Recorded together, so an interrupt leaves whole epochs only.
        history.loss_curve.append(loss)
        if self.X_val is not None:
            history.validation_scores.append(score)
        history.n_iter = epoch + 1
        self.progress.set_postfix(loss=f"{loss:.4g}", refresh=False)
        if settings.verbose > 1:
            print(f"Iteration {epoch + 1}, loss = {loss:.8f}")
        return score

    def keep_best(self, epoch: int) -> None:
        self.best_state = snapshot(self.network)
        self.history.best_epoch = epoch + 1


def drops_words(settings: TrainingSettings) -> bool:
    """Whether training hides entries as zeros (word dropout), not as NaN."""
    return settings.input_dropout > 0 and not settings.hide_as_missing


def validation_score(network: VAENetwork, X_val) -> float:
    """Mean validation ELBO, computed in eval mode with four cheap draws."""
    with network.evaluating():
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
    # (skvae._kernels: LazyAdam, matmul).
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
