"""What VAEEmbedder's parameters resolve to for the data at hand.

Every ``"auto"`` is decided here, from the estimator's parameters and the
validated training data, before any torch code runs: the network's
architecture (:func:`network_spec`), the training loop's settings
(:func:`training_settings`), the rows held out for early stopping
(:func:`validation_split`) and the device (:func:`resolve_device`).  The
latent and likelihood kinds only declare their defaults as data
(``Latent.defaults``, ``Likelihood.input_dropout``); docs/model.md says what
each choice is and why.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import validate_parameter_constraints

from ..exceptions import DeviceFallbackWarning
from .latents import LATENT_CLASSES, Latent
from .likelihoods import (
    LIKELIHOOD_CLASSES,
    check_likelihood_input,
    has_missing,
    nonzero_share,
)
from .masking import missing_rate
from .network import NetworkSpec
from .training import TrainingSettings

# Word dropout ("auto") keeps at least this many non-zero entries of a row
# visible on average, so that short rows (a tweet, a sentence) keep most of
# their terms.
_MIN_KEPT_ENTRIES = 16
# "auto" sampling of the multinomial's normaliser, on CPU: estimate it from
# this many sampled features when there are at least this many features and
# the rows store fewer than this share of them on average (bags of words with
# a whole vocabulary, where sampling trains faster at the same accuracy;
# docs/notes/2026-12-06-model-variants.md, "A sampled objective").
_AUTO_SOFTMAX_SAMPLES = 1000
_AUTO_SAMPLING_FEATURES = 10_000
_AUTO_SAMPLING_DENSITY = 0.005
# "auto" batch sizes keep a decoder output block near 16 MB of float32:
# larger blocks come back as fresh pages from the operating system at every
# step (glibc returns allocations above 32 MB at once), which cost more than
# the extra steps of smaller batches.
_DECODER_BLOCK = 2**22
_MIN_AUTO_BATCH = 32


def network_spec(estimator, X) -> NetworkSpec:
    """The architecture for training data X: the likelihood ``"auto"``
    picks, the layer sizes, dropout and the latent's own parameters, all
    checked against X."""
    name = type(estimator).__name__
    latent = LATENT_CLASSES[estimator.latent]
    likelihood = latent.resolve_likelihood(X, estimator.likelihood)
    latent.check_likelihood(likelihood, estimator.likelihood, name)
    check_likelihood_input(X, likelihood, name)
    latent.check_n_samples(X.shape[0])
    return NetworkSpec(
        n_features=X.shape[1],
        n_components=estimator.n_components,
        hidden_layer_sizes=layer_sizes(estimator, "hidden_layer_sizes"),
        activation=estimator.activation,
        dropout=(
            latent.defaults.dropout
            if estimator.dropout == "auto"
            else float(estimator.dropout)
        ),
        likelihood=likelihood,
        latent=estimator.latent,
        tied_weights=bool(estimator.tied_weights),
        missing_indicator=has_missing(X),
        decoder_hidden_layer_sizes=layer_sizes(estimator, "decoder_hidden_layer_sizes"),
        latent_params=latent_parameters(estimator, X.shape[1]),
    )


def latent_parameters(estimator, n_features: int) -> dict:
    """The chosen latent kind's own hyper-parameters, checked and resolved.

    A kind's parameter is the estimator's parameter of that name where the
    estimator has one (the built-in kinds'), else ``latent_params[name]``,
    else its default.  A parameter that only another kind reads, set away
    from its default, is an error rather than silently ignored.
    """
    latent = LATENT_CLASSES[estimator.latent]
    own = estimator.get_params(deep=False)
    given = dict(estimator.latent_params or {})
    misplaced = sorted(set(given) & set(own))
    if misplaced:
        raise ValueError(
            f"latent_params sets {misplaced}, which are parameters of "
            f"{type(estimator).__name__} itself: set them there."
        )
    unknown = sorted(set(given) - set(latent.hyperparameters))
    if unknown:
        raise ValueError(
            f"latent_params sets {unknown}, which latent={latent.name!r} does "
            f"not take; it takes {sorted(latent.hyperparameters)}."
        )
    for other in LATENT_CLASSES.values():
        for name, parameter in other.hyperparameters.items():
            if (
                name in own
                and name not in latent.hyperparameters
                and not _is_default(own[name], parameter.default)
            ):
                raise ValueError(
                    f"{name} needs latent={other.name!r}; got latent={latent.name!r}."
                )
    values = {
        name: own[name] if name in own else given.get(name, parameter.default)
        for name, parameter in latent.hyperparameters.items()
    }
    validate_parameter_constraints(
        {name: p.constraints for name, p in latent.hyperparameters.items()},
        values,
        caller_name=type(estimator).__name__,
    )
    return latent.resolve_parameters(
        values,
        n_features,
        estimator.n_components,
        getattr(estimator, "feature_names_in_", None),
    )


def training_settings(
    estimator, X_train, spec: NetworkSpec, device: torch.device
) -> TrainingSettings:
    """The loop's settings for training rows X_train."""
    latent = LATENT_CLASSES[spec.latent]
    samples = softmax_samples(estimator, spec, X_train, device)
    missing = has_missing(X_train)
    return TrainingSettings(
        max_iter=estimator.max_iter,
        max_steps=estimator.max_steps,
        batch_size=batch_size(
            estimator, latent, X_train.shape[0], samples or spec.n_features
        ),
        learning_rate_init=(
            latent.defaults.learning_rate
            if estimator.learning_rate_init == "auto"
            else estimator.learning_rate_init
        ),
        beta=float(estimator.beta),
        kl_warmup_iter=estimator.kl_warmup_iter,
        shuffle=estimator.shuffle,
        tol=estimator.tol,
        n_iter_no_change=estimator.n_iter_no_change,
        verbose=estimator.verbose,
        input_dropout=input_dropout(estimator, X_train, spec, missing),
        hide_as_missing=missing,
        softmax_samples=samples,
        matmul_dtype=matmul_dtype(estimator.precision, device),
    )


def validation_split(estimator, X, rng: np.random.RandomState):
    """Training and validation rows: all rows and None without early stopping."""
    if not estimator.early_stopping:
        return X, None
    if X.shape[0] < 2:
        raise ValueError(
            "early_stopping=True needs at least 2 samples to hold out a "
            f"validation set; got n_samples={X.shape[0]}."
        )
    X_train, X_val = train_test_split(
        X, test_size=estimator.validation_fraction, random_state=rng
    )
    return X_train, X_val


def layer_sizes(estimator, name: str) -> tuple[int, ...]:
    """A layer-sizes parameter (an int or a sequence) as a tuple of ints."""
    sizes = getattr(estimator, name)
    sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
    if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
        raise ValueError(
            f"{name} must hold positive integers, got {getattr(estimator, name)!r}."
        )
    return tuple(int(s) for s in sizes)


def input_dropout(estimator, X_train, spec: NetworkSpec, missing: bool) -> float:
    """The share of observed entries hidden from the encoder at each step."""
    if estimator.input_dropout != "auto":
        return float(estimator.input_dropout)
    if missing:
        return missing_rate(X_train)
    latent_default = LATENT_CLASSES[spec.latent].defaults.input_dropout
    if latent_default is not None:
        return latent_default
    rate = LIKELIHOOD_CLASSES[spec.likelihood].input_dropout
    mean_entries = nonzero_share(X_train) * X_train.shape[1]
    if mean_entries <= 0:
        return 0.0
    return float(np.clip(1 - _MIN_KEPT_ENTRIES / mean_entries, 0.0, rate))


def softmax_samples(
    estimator, spec: NetworkSpec, X_train, device: torch.device
) -> int | None:
    """Features sampled per step for the multinomial's normaliser, or None."""
    requested = estimator.softmax_samples
    if requested is None:
        return None
    likelihood = LIKELIHOOD_CLASSES[spec.likelihood]
    latent = LATENT_CLASSES[spec.latent]
    possible = likelihood.samples_features and not latent.normalizes_logits
    if requested == "auto":
        # Measured on CPU only; a GPU computes the exact softmax quickly.
        if not possible or device.type != "cpu":
            return None
        n_rows, n_features = X_train.shape
        stored = X_train.nnz if sp.issparse(X_train) else np.count_nonzero(X_train)
        density = stored / max(n_rows * n_features, 1)
        if n_features < _AUTO_SAMPLING_FEATURES or density >= _AUTO_SAMPLING_DENSITY:
            return None
        return _AUTO_SOFTMAX_SAMPLES
    if not possible:
        raise ValueError(
            f"softmax_samples={requested} needs the multinomial "
            "likelihood and a latent whose decoder output is not "
            f"batch-normalised; this model has likelihood={spec.likelihood!r} "
            f"and latent={spec.latent!r}. Use softmax_samples=None."
        )
    return int(requested)


def batch_size(
    estimator, latent: type[Latent], n_samples: int, decoder_width: int
) -> int:
    """The minibatch size for ``n_samples`` training rows; ``"auto"`` also
    keeps the decoder's (batch, decoder_width) output within
    ``_DECODER_BLOCK`` entries."""
    if estimator.batch_size == "auto":
        by_memory = max(_MIN_AUTO_BATCH, _DECODER_BLOCK // max(decoder_width, 1))
        return max(1, min(latent.defaults.batch_size, by_memory, n_samples))
    if estimator.batch_size > n_samples:
        warnings.warn(
            f"batch_size={estimator.batch_size} is larger than the {n_samples} "
            "training samples; each epoch is one batch.",
            stacklevel=2,
        )
    return estimator.batch_size


def matmul_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The decoder product's dtype in training (None: float32)."""
    if precision == "float32":
        return None
    if precision == "bfloat16" or fast_bfloat16(device):
        return torch.bfloat16
    return None


def fast_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 matrices natively."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    cpu = torch.cpu
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(cpu, name, lambda: False)() for name in checks)


def resolve_device(estimator, *, training: bool = True) -> torch.device:
    """The device to run on; inference falls back to the CPU without CUDA."""
    requested = estimator.device
    if isinstance(requested, str) and requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as error:
        raise ValueError(f"device={requested!r} is not a valid device.") from error
    if device.type == "cuda" and not torch.cuda.is_available():
        name = type(estimator).__name__
        if not training:
            # A model fitted on a GPU keeps device='cuda' in its parameters;
            # it must still run where there is none.
            warnings.warn(
                f"{name} has device={requested!r} but CUDA is not available: "
                "running on the CPU. set_params(device='cpu') silences this "
                "warning.",
                DeviceFallbackWarning,
                stacklevel=3,
            )
            return torch.device("cpu")
        raise ValueError(
            f"device={requested!r} was requested but CUDA is not available. "
            "The fitted state is device-free: set_params(device='cpu') (or "
            "'auto') runs a model fitted on a GPU on this machine."
        )
    return device


def _is_default(value, default) -> bool:
    if default is None or value is None:
        return value is default
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False
