"""Running a fitted network on numpy input: embeddings, ELBO, decoding.

A fitted network is run in float64 and eval mode: no row's result depends on
the other rows in its batch, and float64 rounding keeps the output the same
for any batch size or row order.  During training the same functions run on
the float32 network to score the validation set.
"""

from __future__ import annotations

import numpy as np
import torch

from ._batching import inference_batches, rows_to_tensor
from ._network import VAENetwork

INFERENCE_DTYPE = torch.float64

# Antithetic pairs of standard-normal draws shared by every row when scoring:
# a deterministic, unbiased Monte Carlo estimate of E_q[log p(x|z)].
_N_SCORE_DRAW_PAIRS = 2
_SCORE_SEED = 0


def score_noise(n_components: int) -> np.ndarray:
    """The fixed draws used by :func:`elbo`, shape (2 * pairs, n_components)."""
    eps = np.random.default_rng(_SCORE_SEED).standard_normal(
        (_N_SCORE_DRAW_PAIRS, n_components)
    )
    return np.concatenate([eps, -eps])


def _placement(network: VAENetwork) -> dict:
    parameter = next(network.parameters())
    return {"dtype": parameter.dtype, "device": parameter.device}


@torch.no_grad()
def posterior_mean(network: VAENetwork, X) -> np.ndarray:
    """Mean of q(z | x) for every row of X."""
    placement = _placement(network)
    chunks = []
    for rows in inference_batches(X.shape[0], X.shape[1]):
        x = rows_to_tensor(X, rows, **placement)
        chunks.append(network.encode(x)[0].cpu().numpy())
    return np.concatenate(chunks)


@torch.no_grad()
def elbo(network: VAENetwork, X, *, beta: float = 1.0) -> np.ndarray:
    """Per-row evidence lower bound E_q[log p(x|z)] - beta * KL."""
    placement = _placement(network)
    eps = torch.tensor(score_noise(network.decoder.in_features), **placement)
    chunks = []
    for rows in inference_batches(X.shape[0], X.shape[1]):
        x = rows_to_tensor(X, rows, **placement)
        log_lik, kl = network.elbo_terms(x, eps)
        chunks.append((log_lik - beta * kl).cpu().numpy())
    return np.concatenate(chunks)


@torch.no_grad()
def decoded_mean(network: VAENetwork, Z: np.ndarray) -> np.ndarray:
    """E[x | z] for every latent row of Z."""
    placement = _placement(network)
    chunks = []
    for rows in inference_batches(Z.shape[0], network.decoder.out_features):
        z = rows_to_tensor(Z, rows, **placement)
        chunks.append(network.likelihood.mean(network.decode(z)).cpu().numpy())
    return np.concatenate(chunks)
