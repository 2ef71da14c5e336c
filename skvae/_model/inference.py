"""Running a fitted network on numpy input: embeddings, ELBO, decoding.

A fitted network is run in float64 and eval mode: no row's result depends on
the other rows in its batch, and float64 rounding keeps the output the same
for any batch size or row order.  During training the same functions run on
the float32 network to score the validation set.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats
from scipy.stats import qmc

from .._kernels import rows_to_tensor
from .batching import inference_batches
from .network import VAENetwork, split_missing
from .state import FittedState

INFERENCE_DTYPE = torch.float64

# The expectation E_q[log p(x|z)] of a score is taken over fixed draws shared
# by every row (deterministic and row-independent), so their error does not
# average out over the rows: it moves every row's score together.  Public
# scores use 32 scrambled Sobol points (quasi-Monte Carlo), close to a
# many-draw estimate, where a few plain draws are biased, mostly
# optimistically.  Training's validation score, recomputed
# every epoch and only compared with itself, keeps four cheap draws.
_N_SCORE_DRAWS = 32
_N_VALIDATION_DRAW_PAIRS = 2
_SCORE_SEED = 0


def score_noise(n_components: int) -> np.ndarray:
    """The fixed draws of public scores, shape (32, n_components)."""
    points = qmc.Sobol(n_components, scramble=True, seed=_SCORE_SEED).random(
        _N_SCORE_DRAWS
    )
    return stats.norm.ppf(points)


def validation_noise(n_components: int) -> np.ndarray:
    """Antithetic pairs of draws for the per-epoch validation score."""
    eps = np.random.default_rng(_SCORE_SEED).standard_normal(
        (_N_VALIDATION_DRAW_PAIRS, n_components)
    )
    return np.concatenate([eps, -eps])


def _placement(network: VAENetwork) -> dict:
    parameter = next(network.parameters())
    return {"dtype": parameter.dtype, "device": parameter.device}


@torch.no_grad()
def posterior_mean(network: VAENetwork, X) -> np.ndarray:
    """Mean of q(z | x) for every row of X (its softmax in topic mode)."""
    placement = _placement(network)
    chunks = []
    for rows in inference_batches(X.shape[0], X.shape[1]):
        x = rows_to_tensor(X, rows, **placement)
        chunks.append(network.latent.code(network.encode(x)[0]).cpu().numpy())
    return np.concatenate(chunks)


@torch.no_grad()
def posterior_moments(network: VAENetwork, X) -> tuple[np.ndarray, np.ndarray]:
    """Mean and log-variance of q(z | x) for every row of X (before the code)."""
    placement = _placement(network)
    means, log_vars = [], []
    for rows in inference_batches(X.shape[0], X.shape[1]):
        mu, log_var = network.encode(rows_to_tensor(X, rows, **placement))
        means.append(mu.cpu().numpy())
        log_vars.append(log_var.cpu().numpy())
    return np.concatenate(means), np.concatenate(log_vars)


@torch.no_grad()
def posterior_mean_variance(network: VAENetwork, X, max_rows: int = 4096):
    """Variance over rows of X of each coordinate of E_q[z | x].

    At most ``max_rows`` evenly spaced rows are used: an estimate, not a
    census, that needs no random draws.
    """
    rows = np.unique(np.linspace(0, X.shape[0] - 1, min(X.shape[0], max_rows)))
    placement = _placement(network)
    chunks = []
    for batch in inference_batches(len(rows), X.shape[1]):
        x = rows_to_tensor(X, rows[batch].astype(np.intp), **placement)
        chunks.append(network.encode(x)[0].cpu().numpy())
    return np.concatenate(chunks).var(axis=0)


def active_dimensions(network: VAENetwork, X, share: float) -> np.ndarray:
    """Which latent dimensions are active: their posterior mean varies over
    the rows of X by more than ``share`` of the prior's variance."""
    prior_variance = network.latent.prior_moments()[1]
    return posterior_mean_variance(network, X) > share * prior_variance


@torch.no_grad()
def elbo(
    network: VAENetwork,
    X,
    *,
    beta: float = 1.0,
    per_word: bool = False,
    noise=score_noise,
) -> np.ndarray:
    """Per-row evidence lower bound E_q[log p(x|z)] - beta * KL.

    ``per_word=True`` drops the multinomial coefficient: the bound on the
    probability of the word sequence, as in LDA's perplexity.  ``noise``
    makes the shared draws from ``n_components``.
    """
    placement = _placement(network)
    eps = torch.tensor(noise(network.spec.n_components), **placement)
    chunks = []
    for rows in inference_batches(X.shape[0], X.shape[1]):
        x = rows_to_tensor(X, rows, **placement)
        log_lik, kl = network.elbo_terms(x, eps)
        bound = log_lik - beta * kl
        if per_word:
            bound = bound - network.likelihood.sequence_correction(split_missing(x)[0])
        chunks.append(bound.cpu().numpy())
    return np.concatenate(chunks)


def importance_noise(n_components: int, n_samples: int) -> np.ndarray:
    """The fixed draws of :func:`importance_weighted_bound`."""
    rng = np.random.default_rng(_SCORE_SEED)
    return rng.standard_normal((n_samples, n_components))


@torch.no_grad()
def importance_weighted_bound(
    network: VAENetwork, X, n_samples: int, *, per_word: bool = False
) -> np.ndarray:
    """Per-row log (1/K sum_k p(x, z_k) / q(z_k | x)), K = ``n_samples``.

    The importance-weighted bound of Burda et al. (2016): a lower bound on
    log p(x) that is at least the ELBO in expectation and rises towards
    log p(x) with K.  The draws are fixed and shared by every row, so the
    value is deterministic and row-independent; the first K draws of any
    larger K are the same.
    """
    placement = _placement(network)
    eps = torch.tensor(
        importance_noise(network.spec.n_components, n_samples), **placement
    )
    chunks = []
    # The decoder runs once per draw: fewer rows per batch keep its output
    # as small as in the other inference functions.
    for rows in inference_batches(X.shape[0], X.shape[1]):
        x = rows_to_tensor(X, rows, **placement)
        log_weights = network.log_importance_weights(x, eps)
        bound = torch.logsumexp(log_weights, dim=1) - np.log(n_samples)
        if per_word:
            bound = bound - network.likelihood.sequence_correction(split_missing(x)[0])
        chunks.append(bound.cpu().numpy())
    return np.concatenate(chunks)


@torch.no_grad()
def decoded_mean(network: VAENetwork, Z: np.ndarray) -> np.ndarray:
    """E[x | .] for every row of Z: latent means, or topic proportions."""
    placement = _placement(network)
    chunks = []
    for rows in inference_batches(Z.shape[0], network.spec.n_features):
        z = rows_to_tensor(Z, rows, **placement)
        chunks.append(network.likelihood.mean(network.decode(z)).cpu().numpy())
    return np.concatenate(chunks)


@torch.no_grad()
def prior_samples(
    network: VAENetwork, n_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Draws of x from the generative model p(z) p(x|z), as float64 numpy."""
    mean, var = network.latent.prior_moments()
    z = mean + np.sqrt(var) * rng.standard_normal(
        (n_samples, network.spec.n_components)
    )
    codes = network.latent.code(torch.tensor(z, **_placement(network)))
    return network.likelihood.sample(decoded_mean(network, codes.cpu().numpy()), rng)


@torch.no_grad()
def components(state: FittedState) -> np.ndarray:
    """``components_``: the loadings of the float64 rebuild, as used for
    inference, so that ``inverse_transform`` is exactly linear in them; on
    the CPU, which every machine has."""
    return decoder_loadings(state.build(device="cpu", dtype=INFERENCE_DTYPE))


def decoder_loadings(network: VAENetwork) -> np.ndarray:
    """What one unit of each code coordinate adds to each feature's eta.

    Shape (n_components, n_features); the latent says how its decoder's
    weights apply to a code (:meth:`~skvae._model.latents.Latent.loadings`), the
    likelihood in which units (the Gaussian's are the input's).
    """
    weight = network.latent.loadings(network.decoder.weight(network.embedding))
    return network.likelihood.loadings_in_input_units(weight).T.cpu().numpy()
