"""Weights-only persistence of a fitted VAEEmbedder in the safetensors format.

A safetensors file holds named arrays and string metadata, nothing that runs
code on loading: unlike pickle or joblib, it is safe to load from an untrusted
source.  It keeps what serving needs (the network's weights, its
architecture, the likelihood, the input's feature count and names and the
hyper-parameters) and leaves out the training history and optimizer state.

A preprocessing step such as a vectorizer is not part of the file: keep its
vocabulary (plain strings, e.g. as JSON) and rebuild it around the loaded
model, e.g. ``make_pipeline(CountVectorizer(vocabulary=vocabulary), vae)``.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import torch

from ._embedder import VAEEmbedder, fitted_state, restore_fitted
from ._model.network import NetworkSpec
from ._model.state import FittedState
from ._version import __version__
from .exceptions import InconsistentVersionWarning

__all__ = ["load_safetensors", "save_safetensors"]

_FORMAT = "skvae.VAEEmbedder"
# 2: the latent's normalisations are stored under ``latent.`` (skvae 0.2).
_FORMAT_VERSION = 2
_METADATA_KEY = "skvae"


def save_safetensors(estimator: VAEEmbedder, path: str | os.PathLike) -> None:
    """Save a fitted VAEEmbedder's weights and metadata as a safetensors file.

    Parameters
    ----------
    estimator : VAEEmbedder
        A fitted model; for a Pipeline, pass its step, e.g.
        ``pipeline.named_steps["vaeembedder"]``.

    path : str or path-like
        Where to write the file (by convention ``*.safetensors``).

    Raises
    ------
    ValueError
        If ``estimator`` is not a VAEEmbedder (e.g. a Pipeline).
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ImportError
        If the ``safetensors`` package is not installed.

    See Also
    --------
    load_safetensors : Load the file back as a fitted VAEEmbedder.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.serialization import load_safetensors, save_safetensors
    >>> X = np.random.RandomState(0).poisson(1.0, size=(50, 8))
    >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "vae.safetensors")
    ...     save_safetensors(vae, path)
    ...     served = load_safetensors(path)
    >>> bool(np.array_equal(served.transform(X), vae.transform(X)))
    True
    """
    if not isinstance(estimator, VAEEmbedder):
        raise ValueError(
            "save_safetensors saves a VAEEmbedder; got "
            f"{type(estimator).__name__}.  For a Pipeline, pass its VAEEmbedder "
            "step, e.g. pipeline.named_steps['vaeembedder']."
        )
    state = fitted_state(estimator)
    numpy_io = _safetensors("numpy")
    metadata = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "skvae_version": __version__,
        "params": estimator.get_params(deep=False),
        "network_spec": state.spec.to_dict(),
        "likelihood": estimator.likelihood_,
        "n_components": estimator.n_components_,
        "n_features_in": estimator.n_features_in_,
        "feature_names_in": getattr(estimator, "feature_names_in_", None),
        "n_iter": estimator.n_iter_,
        "active_components": estimator.active_components_,
        "dtype": _output_dtype(estimator),
    }
    numpy_io.save_file(
        {name: np.ascontiguousarray(a) for name, a in state.weights.items()},
        os.fspath(path),
        metadata={_METADATA_KEY: json.dumps(metadata, default=_to_json)},
    )


def load_safetensors(path: str | os.PathLike) -> VAEEmbedder:
    """Load a VAEEmbedder saved by :func:`save_safetensors`.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_safetensors`.

    Returns
    -------
    estimator : VAEEmbedder
        A fitted model whose ``transform``, ``inverse_transform``,
        ``score_samples`` and ``sample`` give the saved model's results.
        The training history (``loss_curve_`` and the like) is not restored;
        ``partial_fit`` continues from the weights with a fresh optimizer.

    Raises
    ------
    ValueError
        If the file was not written by :func:`save_safetensors`, has a newer
        format version, or its weights do not match its network.
    ImportError
        If the ``safetensors`` package is not installed.

    Warns
    -----
    InconsistentVersionWarning
        If the file was saved with another skvae version.

    See Also
    --------
    save_safetensors : Write the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.serialization import load_safetensors, save_safetensors
    >>> X = np.random.RandomState(0).poisson(1.0, size=(50, 8))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "vae.safetensors")
    ...     save_safetensors(VAEEmbedder(2, hidden_layer_sizes=(16,)).fit(X), path)
    ...     vae = load_safetensors(path)
    >>> vae.transform(X[:3]).shape
    (3, 2)
    >>> hasattr(vae, "loss_curve_")  # the training history is not saved
    False
    """
    safe_open = _safetensors("safe_open")
    with safe_open(os.fspath(path), framework="np") as file:
        header = (file.metadata() or {}).get(_METADATA_KEY)
        names = file.keys()  # safe_open objects are not iterable
        weights = {name: file.get_tensor(name) for name in names}
    metadata = json.loads(header) if header else {}
    if metadata.get("format") != _FORMAT:
        raise ValueError(f"{os.fspath(path)!r} was not written by save_safetensors.")
    if metadata["format_version"] < _FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} has format version {metadata['format_version']}, "
            f"written by skvae {metadata['skvae_version']}; this skvae "
            f"({__version__}) reads version {_FORMAT_VERSION}: load it with the "
            "skvae that wrote it, or refit."
        )
    if metadata["format_version"] > _FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} has format version {metadata['format_version']}; "
            f"this skvae ({__version__}) reads up to {_FORMAT_VERSION}."
        )
    if metadata["skvae_version"] != __version__:
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name=VAEEmbedder.__name__,
                current_version=__version__,
                original_version=metadata["skvae_version"],
            ),
            stacklevel=2,
        )
    try:
        state = FittedState(NetworkSpec.from_dict(metadata["network_spec"]), weights)
        state.build()
    except (RuntimeError, TypeError, KeyError) as error:
        raise ValueError(
            f"The weights in {os.fspath(path)!r} do not match its network spec."
        ) from error
    estimator = VAEEmbedder(**_tuples(metadata["params"]))
    estimator.n_features_in_ = metadata["n_features_in"]
    if metadata["feature_names_in"] is not None:
        estimator.feature_names_in_ = np.asarray(
            metadata["feature_names_in"], dtype=object
        )
    estimator = restore_fitted(estimator, state, metadata["n_iter"], metadata["dtype"])
    estimator.active_components_ = np.asarray(metadata["active_components"], bool)
    estimator.n_active_components_ = int(estimator.active_components_.sum())
    return estimator


def _safetensors(name: str):
    """``safetensors.numpy`` or ``safetensors.safe_open``, imported on first use."""
    try:
        import safetensors
        import safetensors.numpy
    except ImportError as error:
        raise ImportError(
            "Saving and loading safetensors files needs the safetensors "
            "package: pip install 'skvae[persistence]'."
        ) from error
    return getattr(safetensors, name)


def _output_dtype(estimator: VAEEmbedder) -> str:
    # The dtype components_ was stored in: that of the training data.
    components = getattr(estimator, "components_", None)
    return "float64" if components is None else components.dtype.name


def _to_json(value):
    """JSON for the values that get_params and fitted attributes may hold."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, np.random.RandomState):
        # A generator is not a setting to serve with; the loaded model's
        # random_state is None.
        return None
    raise TypeError(f"Cannot save {type(value).__name__} {value!r} as metadata.")


def _tuples(mapping: dict) -> dict:
    """JSON's lists back to the tuples the estimator and NetworkSpec use."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in mapping.items()}
