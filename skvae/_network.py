"""The torch VAE: a Gaussian encoder q(z|x), an N(0, I) prior, a decoder p(x|z).

The fitted estimator keeps only numpy arrays; :func:`build_network` turns them
back into a module on any device, :func:`network_state` does the reverse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ._likelihoods import LIKELIHOOD_CLASSES, Likelihood

ACTIVATIONS = {"relu": nn.ReLU, "softplus": nn.Softplus, "tanh": nn.Tanh, "elu": nn.ELU}

# Keeps exp(log_var) finite in float32 however far the encoder strays.
_LOG_VAR_LIMIT = 15.0


@dataclass(frozen=True)
class NetworkSpec:
    """Everything needed to rebuild the architecture (no weights)."""

    n_features: int
    n_components: int
    hidden_layer_sizes: tuple[int, ...]
    activation: str
    dropout: float
    likelihood: str

    def to_dict(self) -> dict:
        return asdict(self)


class Encoder(nn.Module):
    """x -> (mu, log_var) of the Gaussian posterior q(z | x)."""

    def __init__(self, spec: NetworkSpec):
        super().__init__()
        layers: list[nn.Module] = []
        n_in = spec.n_features
        for n_out in spec.hidden_layer_sizes:
            layers += [nn.Linear(n_in, n_out), ACTIVATIONS[spec.activation]()]
            if spec.dropout > 0:
                layers.append(nn.Dropout(spec.dropout))
            n_in = n_out
        self.hidden = nn.Sequential(*layers)
        self.mu = nn.Linear(n_in, spec.n_components)
        self.log_var = nn.Linear(n_in, spec.n_components)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.hidden(x)
        log_var = self.log_var(h).clamp(-_LOG_VAR_LIMIT, _LOG_VAR_LIMIT)
        return self.mu(h), log_var


class VAENetwork(nn.Module):
    """Encoder, linear decoder and likelihood in one module.

    The decoder is linear in z: ``eta = z @ W.T + b``, so its weight is the
    natural parameter each latent dimension adds to every feature.
    """

    def __init__(self, spec: NetworkSpec, likelihood: Likelihood):
        super().__init__()
        self.encoder = Encoder(spec)
        self.decoder = nn.Linear(spec.n_components, spec.n_features)
        self.likelihood = likelihood

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(self.likelihood.encoder_input(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Natural parameters eta of p(x | z)."""
        return self.decoder(z)

    def elbo_terms(
        self, x: torch.Tensor, eps: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-sample E_q[log p(x|z)] and KL(q(z|x) || N(0, I)).

        ``eps`` has shape (n_draws, n_components); each draw is shared by all
        rows, which makes the estimate deterministic and row-independent.  With
        ``eps=None`` one fresh draw per row is used (training).
        """
        mu, log_var = self.encode(x)
        std = torch.exp(0.5 * log_var)
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
        if eps is None:
            z = mu + std * torch.randn_like(std)
            return self.likelihood.log_prob(x, self.decode(z)), kl
        log_lik = torch.zeros_like(kl)
        for draw in eps:
            z = mu + std * draw
            log_lik = log_lik + self.likelihood.log_prob(x, self.decode(z))
        return log_lik / len(eps), kl


def create_network(spec: NetworkSpec, statistics: dict[str, np.ndarray]) -> VAENetwork:
    """A freshly initialised network (uses torch's global RNG)."""
    likelihood = LIKELIHOOD_CLASSES[spec.likelihood](statistics)
    network = VAENetwork(spec, likelihood)
    with torch.no_grad():
        network.decoder.bias.copy_(likelihood.initial_bias())
    return network


def network_state(network: nn.Module) -> dict[str, np.ndarray]:
    """The module's parameters and buffers as plain numpy arrays."""
    return {
        name: tensor.detach().cpu().numpy().copy()
        for name, tensor in network.state_dict().items()
    }


def build_network(
    spec: dict,
    state: dict[str, np.ndarray],
    *,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> VAENetwork:
    """Rebuild a network from :func:`network_state` output, in eval mode."""
    spec = NetworkSpec(**spec)
    likelihood_class = LIKELIHOOD_CLASSES[spec.likelihood]
    statistics = {
        name.removeprefix("likelihood."): value
        for name, value in state.items()
        if name.startswith("likelihood.")
        and name.removeprefix("likelihood.") not in likelihood_class.parameter_names
    }
    network = VAENetwork(spec, likelihood_class(statistics))
    # np.array copies: the fitted state may be a read-only memmap (joblib).
    weights = {name: torch.tensor(np.array(value)) for name, value in state.items()}
    network.load_state_dict(weights)
    return network.to(device=device, dtype=dtype).eval()
