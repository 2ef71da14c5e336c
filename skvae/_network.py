"""The torch VAE: encoder q(z|x), latent prior, decoder p(x|z).

Two latent spaces share the code:

- ``"gaussian"``: z ~ N(0, I) and the decoder is linear in z;
- ``"topic"`` (ProdLDA, Srivastava & Sutton 2017): a logistic-normal latent whose
  prior is the Laplace approximation of a Dirichlet, topic proportions
  theta = softmax(z), and a product-of-experts decoder (linear in theta, then
  batch normalisation), with batch-normalised posterior parameters.

With ``tied_weights`` one vocabulary-sized matrix E (n_features x width) is the
encoder's first layer and, through a small projection P, the decoder's weight:
``eta = h @ P.T @ E.T``.  ``width`` is the first hidden layer's size, or
``n_components`` when the encoder has no hidden layer.

The fitted estimator keeps only numpy arrays; :func:`build_network` turns them
back into a module on any device, :func:`network_state` does the reverse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._batching import Rows, SparseRows, matmul
from ._likelihoods import LIKELIHOOD_CLASSES, Likelihood

ACTIVATIONS = {"relu": nn.ReLU, "softplus": nn.Softplus, "tanh": nn.Tanh, "elu": nn.ELU}
LATENTS = ("gaussian", "topic")

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
    latent: str = "gaussian"
    doc_topic_prior: float = 1.0
    tied_weights: bool = False
    missing_indicator: bool = False
    decoder_hidden_layer_sizes: tuple[int, ...] = ()

    @property
    def embedding_width(self) -> int:
        """Width of the vocabulary-sized matrix the tied layers share."""
        sizes = self.hidden_layer_sizes
        return sizes[0] if sizes else self.n_components

    def to_dict(self) -> dict:
        return asdict(self)


def prior_moments(spec: NetworkSpec) -> tuple[float, float]:
    """Mean and variance of each latent coordinate under the prior.

    For the topic latent, the Laplace approximation of a symmetric
    Dirichlet(alpha) in the softmax basis: mean 0, variance (1 - 1/K) / alpha.
    """
    if spec.latent == "gaussian":
        return 0.0, 1.0
    k = spec.n_components
    return 0.0, (1.0 - 1.0 / k) / spec.doc_topic_prior if k > 1 else 1.0


class Encoder(nn.Module):
    """x -> (mu, log_var) of the Gaussian posterior q(z | x).

    The first layer's vocabulary-sized weight has shape (n_features, width),
    so that a sparse batch multiplies only its stored rows of it; its output
    is layer-normalised (Gaussian latent).  With tied
    weights it is the network's shared matrix, passed to :meth:`forward` (the
    network owns it, so it is stored once).  Without hidden layers the first
    layer (width ``n_components``) feeds the linear mu / log_var heads.
    """

    def __init__(self, spec: NetworkSpec):
        super().__init__()
        width = spec.embedding_width
        self.input_weight = (
            None
            if spec.tied_weights
            else nn.Parameter(uniform_init(spec.n_features, width))
        )
        self.input_bias = nn.Parameter(uniform_init(spec.n_features, width)[0])
        # Indicators of the missing entries (a batch without NaN has none).
        self.indicator = (
            nn.Linear(spec.n_features, width, bias=False)
            if spec.missing_indicator
            else None
        )
        # Layer normalisation of the first layer's output: a document with
        # thousands of distinct terms would otherwise reach pre-activations
        # far larger than a typical one and, through mu and log_var, send
        # gradient spikes that made training diverge on large vocabularies.
        # Topic mode batch-normalises mu and log_var instead (ProdLDA), and
        # layer normalisation there cost topic coherence (NPMI 0.20 -> 0.14).
        self.input_norm = (
            nn.LayerNorm(width) if spec.latent == "gaussian" else nn.Identity()
        )
        sizes = spec.hidden_layer_sizes
        layers: list[nn.Module] = []
        n_in = width
        if sizes:
            layers.append(ACTIVATIONS[spec.activation]())
        for n_out in sizes[1:]:
            layers += [nn.Linear(n_in, n_out), ACTIVATIONS[spec.activation]()]
            n_in = n_out
        self.hidden = nn.Sequential(*layers)
        self.dropout = nn.Dropout(spec.dropout)
        self.mu = nn.Linear(n_in, spec.n_components)
        self.log_var = nn.Linear(n_in, spec.n_components)
        batch_norm = spec.latent == "topic"
        self.mu_norm = (
            nn.BatchNorm1d(spec.n_components, affine=False) if batch_norm else None
        )
        self.log_var_norm = (
            nn.BatchNorm1d(spec.n_components, affine=False) if batch_norm else None
        )

    def forward(
        self,
        x: Rows,
        shift: torch.Tensor | None,
        missing: torch.Tensor | None,
        embedding: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters for the encoder input ``x + shift``."""
        weight = self.input_weight if embedding is None else embedding
        h = matmul(x, weight) + self.input_bias
        if shift is not None:
            h = h + shift @ weight
        if missing is not None and self.indicator is not None:
            h = h + self.indicator(missing)
        h = self.dropout(self.hidden(self.input_norm(h)))
        mu, log_var = self.mu(h), self.log_var(h)
        if self.mu_norm is not None:
            mu, log_var = self.mu_norm(mu), self.log_var_norm(log_var)
        return mu, log_var.clamp(-_LOG_VAR_LIMIT, _LOG_VAR_LIMIT)


def uniform_init(n_in: int, n_out: int) -> torch.Tensor:
    """An (n_in, n_out) weight drawn like nn.Linear's default initialisation."""
    bound = 1.0 / np.sqrt(n_in)
    return torch.empty(n_in, n_out).uniform_(-bound, bound)


class Decoder(nn.Module):
    """Latent code (z, or theta in topic mode) -> natural parameters eta."""

    def __init__(self, spec: NetworkSpec):
        super().__init__()
        topic = spec.latent == "topic"
        layers: list[nn.Module] = []
        n_in = spec.n_components
        for n_out in spec.decoder_hidden_layer_sizes:
            layers += [nn.Linear(n_in, n_out), ACTIVATIONS[spec.activation]()]
            n_in = n_out
        self.hidden = nn.Sequential(*layers)
        if spec.tied_weights:
            self.projection = nn.Linear(n_in, spec.embedding_width, bias=False)
        else:
            self.linear = nn.Linear(n_in, spec.n_features, bias=False)
        # Batch norm (topic mode) removes any per-feature offset: no bias there.
        self.bias = None if topic else nn.Parameter(torch.zeros(spec.n_features))
        self.batch_norm = (
            nn.BatchNorm1d(spec.n_features, affine=False) if topic else None
        )

    def weight(self, embedding: torch.Tensor | None) -> torch.Tensor:
        """The output layer's (n_features, width) matrix.

        width is n_components when the decoder has no hidden layer: the
        decoder is then linear in its input.
        """
        if embedding is not None:
            return embedding @ self.projection.weight
        return self.linear.weight

    def forward(self, h: torch.Tensor, embedding: torch.Tensor | None) -> torch.Tensor:
        h = self.hidden(h)
        # The bias joins the matrix product (addmm): one pass less over eta.
        if embedding is not None:
            eta = F.linear(self.projection(h), embedding, self.bias)
        else:
            eta = F.linear(h, self.linear.weight, self.bias)
        if self.batch_norm is not None:
            eta = self.batch_norm(eta)
        return eta


class VAENetwork(nn.Module):
    """Encoder, latent prior, decoder and likelihood in one module."""

    def __init__(self, spec: NetworkSpec, likelihood: Likelihood):
        super().__init__()
        self.spec = spec
        self.embedding = (
            nn.Parameter(torch.empty(spec.n_features, spec.embedding_width))
            if spec.tied_weights
            else None
        )
        if self.embedding is not None:
            with torch.no_grad():
                self.embedding.copy_(uniform_init(*self.embedding.shape))
        self.encoder = Encoder(spec)
        self.decoder = Decoder(spec)
        self.likelihood = likelihood
        prior_mean, prior_var = prior_moments(spec)
        self.prior_mean, self.prior_var = prior_mean, prior_var

    def encode(self, x: Rows) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters; missing entries (NaN) are filled for the encoder."""
        x, observed = split_missing(x)
        missing = None
        if observed is not None:
            x = torch.where(observed, x, self.likelihood.feature_mean.to(x.dtype))
            missing = (~observed).to(x.dtype)
        inputs, shift = self.likelihood.encoder_input(x)
        return self.encoder(inputs, shift, missing, self.embedding)

    def embed(self, mu: torch.Tensor) -> torch.Tensor:
        """What transform returns: z's mean, or topic proportions in topic mode."""
        return F.softmax(mu, dim=1) if self.spec.latent == "topic" else mu

    def decoder_input(self, z: torch.Tensor) -> torch.Tensor:
        # No dropout on theta (unlike ProdLDA): a decoder that must also
        # reconstruct a document from a thinned mixture is rewarded for
        # spreading a theme over several near-duplicate topics; on 20
        # Newsgroups that cut topic diversity (top-25 terms) from 0.637 to
        # 0.562.  See docs/model.md.
        if self.spec.latent == "topic":
            return F.softmax(z, dim=1)
        return z

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Natural parameters eta of p(x | .) from the decoder's input."""
        return self.decoder(h, self.embedding)

    def kl(self, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
        """KL(N(mu, exp(log_var)) || prior), per row."""
        var_ratio = log_var.exp() / self.prior_var
        mean_term = (mu - self.prior_mean).pow(2) / self.prior_var
        log_ratio = np.log(self.prior_var) - log_var
        return 0.5 * (var_ratio + mean_term - 1.0 + log_ratio).sum(dim=1)

    def elbo_terms(
        self,
        x: Rows,
        eps: torch.Tensor | None = None,
        encoder_x: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-row E_q[log p(x|z)] and KL(q(z|x) || prior).

        ``eps`` has shape (n_draws, n_components); each draw is shared by all
        rows, which makes the estimate deterministic and row-independent.  With
        ``eps=None`` one fresh draw per row is used (training).
        ``encoder_x`` is what the encoder sees instead of ``x`` (``x`` with
        more entries hidden as NaN, see :mod:`._masking`); the likelihood
        always scores every observed entry of ``x``.
        """
        mu, log_var = self.encode(x if encoder_x is None else encoder_x)
        x_filled, observed = split_missing(x)
        std = torch.exp(0.5 * log_var)
        draws = torch.randn_like(std)[None] if eps is None else eps[:, None, :]
        log_lik = mu.new_zeros(mu.shape[0])
        for draw in draws:
            eta = self.decode(self.decoder_input(mu + std * draw))
            log_lik = log_lik + self.likelihood.log_prob(x_filled, eta, observed)
        return log_lik / len(draws), self.kl(mu, log_var)


def split_missing(x: Rows) -> tuple[Rows, torch.Tensor | None]:
    """x with NaN replaced by 0, and the mask of observed entries (None: all).

    Sparse batches never hold NaN (see :func:`rows_to_tensor`).
    """
    if isinstance(x, SparseRows):
        return x, None
    missing = torch.isnan(x)
    if not missing.any():
        return x, None
    return torch.where(missing, torch.zeros_like(x), x), ~missing


def create_network(spec: NetworkSpec, statistics: dict[str, np.ndarray]) -> VAENetwork:
    """A freshly initialised network (uses torch's global RNG)."""
    likelihood = LIKELIHOOD_CLASSES[spec.likelihood](statistics)
    network = VAENetwork(spec, likelihood)
    if network.decoder.bias is not None:
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
    # Built on the meta device: no random initialisation (which would draw from
    # torch's global RNG) and no memory until the fitted weights are loaded.
    with torch.device("meta"):
        network = VAENetwork(spec, likelihood_class(statistics))
    network = network.to_empty(device=device)
    # np.array copies: the fitted state may be a read-only memmap (joblib).
    weights = {name: torch.tensor(np.array(value)) for name, value in state.items()}
    network.load_state_dict(weights)
    return network.to(dtype=dtype).eval()
