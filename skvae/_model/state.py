"""The fitted state of a VAEEmbedder: architecture, weights, optimizer moments.

All plain numpy and a frozen dataclass, so that pickling, copying, device
moves and the safetensors export need nothing from torch; the estimator's
pickling hooks are here too.  ``fit``,
``partial_fit``, pickling and :mod:`skvae.serialization` share this one
object; :meth:`FittedState.build` turns it into a network on any device.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from .._version import __version__
from ..exceptions import InconsistentVersionWarning
from .likelihoods import LIKELIHOOD_CLASSES
from .network import NetworkSpec, VAENetwork


@dataclass(frozen=True)
class FittedState:
    """Everything a fitted model is, without torch objects.

    Attributes
    ----------
    spec : NetworkSpec
        The architecture.
    weights : dict of str to ndarray
        The network's parameters and buffers (``state_dict`` names).
    optimizer : dict or None
        Adam's moments per parameter name, so that ``partial_fit`` resumes
        where the last call stopped; None after ``fit`` or loading.
    """

    spec: NetworkSpec
    weights: dict[str, np.ndarray]
    optimizer: dict[str, dict[str, np.ndarray]] | None = None

    @classmethod
    def of(
        cls,
        spec: NetworkSpec,
        network: VAENetwork,
        optimizer: dict[str, dict[str, np.ndarray]] | None = None,
    ) -> FittedState:
        """The state of a trained ``network`` (copied to host memory)."""
        weights = {
            name: tensor.detach().cpu().numpy().copy()
            for name, tensor in network.state_dict().items()
        }
        return cls(spec, weights, optimizer)

    def to_dict(self) -> dict:
        """Plain dicts, lists and arrays (what a pickle of the estimator holds)."""
        return {
            "spec": self.spec.to_dict(),
            "weights": self.weights,
            "optimizer": self.optimizer,
        }

    @classmethod
    def from_dict(cls, state: dict) -> FittedState:
        """Inverse of :meth:`to_dict`."""
        spec = NetworkSpec.from_dict(state["spec"])
        return cls(spec, state["weights"], state["optimizer"])

    def build(
        self,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> VAENetwork:
        """The network holding these weights, on ``device``, in eval mode.

        Raises
        ------
        RuntimeError
            If the weights do not fit the architecture.
        """
        likelihood_class = LIKELIHOOD_CLASSES[self.spec.likelihood]
        prefix = "likelihood."
        statistics = {
            name.removeprefix(prefix): value
            for name, value in self.weights.items()
            if name.startswith(prefix)
            and name.removeprefix(prefix) not in likelihood_class.parameter_names
        }
        # Built on the meta device: no random initialisation (which would draw
        # from torch's global RNG) and no memory until the weights are loaded.
        with torch.device("meta"):
            network = VAENetwork(self.spec, likelihood_class(statistics))
        network = network.to_empty(device=device)
        # np.array copies: the state may be a read-only memmap (joblib).
        tensors = {name: torch.tensor(np.array(v)) for name, v in self.weights.items()}
        network.load_state_dict(tensors)
        return network.to(dtype=dtype).eval()


def pickled_estimator(state: dict) -> dict:
    """An estimator's ``__dict__`` as pickled: the fitted state as plain dicts
    and arrays (so that skops needs to trust no other type than the
    estimator's), and the skvae version that wrote it."""
    state["_skvae_version"] = __version__
    if "_state" in state:
        state["_state"] = state["_state"].to_dict()
    return state


def unpickled_estimator(state: dict, estimator_name: str) -> dict:
    """Inverse of :func:`pickled_estimator`; warns when another skvae version
    wrote the pickle."""
    state = dict(state)
    if "_state" in state:
        state["_state"] = FittedState.from_dict(state["_state"])
    version = state.pop("_skvae_version", "unknown")
    if version != __version__:
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name=estimator_name,
                current_version=__version__,
                original_version=version,
            ),
            stacklevel=3,
        )
    return state
