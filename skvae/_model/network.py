"""The torch VAE: encoder q(z|x), latent prior, decoder p(x|z).

What differs between latent spaces (the prior, normalisations, the code the
decoder reads) is a :class:`~skvae._model.latents.Latent` module, and what differs
between observation models a :class:`~skvae._model.likelihoods.Likelihood`; the
network composes them.

With ``tied_weights`` one vocabulary-sized matrix E (n_features x width) is the
encoder's first layer and, through a small projection P, the decoder's weight:
``eta = h @ P.T @ E.T``.  ``width`` is the first hidden layer's size, or
``n_components`` when the encoder has no hidden layer.

The fitted estimator keeps only numpy arrays (:mod:`skvae._model.state`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .._kernels import Rows, ScratchBuffers, SparseRows, decoder_product, matmul
from .latents import LATENT_CLASSES, Latent
from .likelihoods import LIKELIHOOD_CLASSES, Likelihood

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
    latent: str = "gaussian"
    tied_weights: bool = False
    missing_indicator: bool = False
    decoder_hidden_layer_sizes: tuple[int, ...] = ()
    # The latent kind's own hyper-parameters (Latent.resolve_parameters).
    latent_params: dict = field(default_factory=dict)

    @property
    def embedding_width(self) -> int:
        """Width of the vocabulary-sized matrix the tied layers share."""
        sizes = self.hidden_layer_sizes
        return sizes[0] if sizes else self.n_components

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, spec: dict) -> NetworkSpec:
        """Inverse of :meth:`to_dict`, also from JSON (lists for tuples) and
        from specs written before the latents owned their parameters."""
        spec = {name: _tuples(value) for name, value in spec.items()}
        latent_params = dict(spec.pop("latent_params", {}))
        own = LATENT_CLASSES[spec.get("latent", "gaussian")].hyperparameters
        for name in _FORMER_SPEC_FIELDS:
            value = spec.pop(name, None)
            if name in own and name not in latent_params:
                latent_params[name] = value
        return cls(**spec, latent_params=latent_params)


# Fields that specs held before each latent kind kept its own parameters.
_FORMER_SPEC_FIELDS = ("doc_topic_prior", "seed_topics", "seed_strength")


def _tuples(value):
    """Lists (from JSON) back to tuples, nested; dicts element-wise."""
    if isinstance(value, list | tuple):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


class Encoder(nn.Module):
    """x -> (mu, log_var) of the Gaussian posterior q(z | x).

    The first layer's vocabulary-sized weight has shape (n_features, width),
    so that a sparse batch multiplies only its stored rows of it; the latent
    normalises its output and the posterior parameters.  With tied weights it
    is the network's shared matrix, passed to :meth:`forward` (the network
    owns it, so it is stored once).  Without hidden layers the first layer
    (width ``n_components``) feeds the linear mu / log_var heads.
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

    def forward(
        self,
        x: Rows,
        shift: torch.Tensor | None,
        missing: torch.Tensor | None,
        embedding: torch.Tensor | None,
        latent: Latent,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters for the encoder input ``x + shift``."""
        weight = self.input_weight if embedding is None else embedding
        # A batch stores a small share of a large vocabulary: the encoder's
        # own weight gets a row-sparse gradient (the tied one, which the
        # decoder also uses, a dense one).  Measured on CPU only, where a
        # dense Adam update of the vocabulary is slow.
        lazy = embedding is None and weight.device.type == "cpu"
        h = matmul(x, weight, sparse_grad=lazy) + self.input_bias
        if shift is not None:
            h = h + shift @ weight
        if missing is not None and self.indicator is not None:
            h = h + self.indicator(missing)
        h = self.dropout(self.hidden(latent.normalize_hidden(h)))
        mu, log_var = latent.normalize_posterior(self.mu(h), self.log_var(h))
        return mu, log_var.clamp(-_LOG_VAR_LIMIT, _LOG_VAR_LIMIT)


def uniform_init(n_in: int, n_out: int) -> torch.Tensor:
    """An (n_in, n_out) weight drawn like nn.Linear's default initialisation."""
    bound = 1.0 / np.sqrt(n_in)
    return torch.empty(n_in, n_out).uniform_(-bound, bound)


class Decoder(nn.Module):
    """Latent code (z, or theta in topic mode) -> natural parameters eta."""

    def __init__(self, spec: NetworkSpec, bias: bool):
        super().__init__()
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
        self.bias = nn.Parameter(torch.zeros(spec.n_features)) if bias else None
        self.scratch = ScratchBuffers()

    def weight(self, embedding: torch.Tensor | None) -> torch.Tensor:
        """The output layer's (n_features, width) matrix.

        width is n_components when the decoder has no hidden layer: the
        decoder is then linear in its input.
        """
        if embedding is not None:
            return embedding @ self.projection.weight
        return self.linear.weight

    def output_layer(
        self, code: torch.Tensor, embedding: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``(r, M, b)`` with ``eta = r @ M.T + b``: M has a row per feature.

        A sampled training objective computes eta only for some features,
        from the rows of M it needs.
        """
        h = self.hidden(code)
        if embedding is not None:
            return self.projection(h), embedding, self.bias
        return h, self.linear.weight, self.bias

    def forward(
        self,
        code: torch.Tensor,
        embedding: torch.Tensor | None,
        matmul_dtype: torch.dtype | None = None,
    ) -> torch.Tensor:
        """eta; ``matmul_dtype`` (training only) is the product's precision."""
        r, weight, bias = self.output_layer(code, embedding)
        if matmul_dtype is None:
            # The bias joins the matrix product (addmm): one pass less over eta.
            return F.linear(r, weight, bias)
        # Training consumes eta within the step: it can live in reused buffers.
        return decoder_product(r, weight, bias, matmul_dtype, self.scratch)


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
        self.latent = LATENT_CLASSES[spec.latent](spec)
        self.encoder = Encoder(spec)
        self.decoder = Decoder(spec, bias=self.latent.decoder_bias)
        self.likelihood = likelihood
        self.prior_mean, self.prior_var = self.latent.prior_moments()

    def encode(self, x: Rows) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters; missing entries (NaN) are filled for the encoder."""
        x, observed = split_missing(x)
        missing = None
        if observed is not None:
            x = torch.where(observed, x, self.likelihood.feature_mean.to(x.dtype))
            missing = (~observed).to(x.dtype)
        inputs, shift = self.likelihood.encoder_input(x)
        return self.encoder(inputs, shift, missing, self.embedding, self.latent)

    @contextmanager
    def evaluating(self):
        """Run a measurement in eval mode (no encoder dropout, batch norm's
        running statistics), then go back to training mode."""
        self.eval()
        try:
            yield
        finally:
            self.train()

    def freeze_posterior_means(self) -> None:
        """Train only what does not move E_q[z | x]: the posterior variances,
        the decoder and the likelihood's own parameters."""
        encoder = self.encoder
        trunk = [encoder.input_weight, encoder.input_bias, self.embedding]
        for module in (encoder.indicator, encoder.hidden, encoder.mu, self.latent):
            if module is not None:
                trunk += list(module.parameters())
        for parameter in trunk:
            if parameter is not None:
                parameter.requires_grad_(False)

    def training_target(self, x: Rows) -> Rows:
        """What the training loss scores of a batch: x, or its damped counts."""
        return self.likelihood.training_target(x) if self.latent.damps_counts else x

    def decode(
        self, code: torch.Tensor, matmul_dtype: torch.dtype | None = None
    ) -> torch.Tensor:
        """Natural parameters eta of p(x | .) from a latent code c(z)."""
        eta = self.decoder(code, self.embedding, matmul_dtype)
        return self.latent.normalize_logits(eta, code)

    def kl(self, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
        """KL(N(mu, exp(log_var)) || prior), per row."""
        var_ratio = log_var.exp() / self.prior_var
        mean_term = (mu - self.prior_mean).pow(2) / self.prior_var
        log_ratio = np.log(self.prior_var) - log_var
        return 0.5 * (var_ratio + mean_term - 1.0 + log_ratio).sum(dim=1)

    def log_importance_weights(self, x: Rows, eps: torch.Tensor) -> torch.Tensor:
        """log p(x | z_k) + log p(z_k) - log q(z_k | x) for z_k = mu + std eps_k.

        Shape (n_rows, n_draws); ``eps`` has shape (n_draws, n_components)
        and is shared by all rows.  Their log-mean-exp is the importance
        weighted bound of Burda et al. (2016); one draw gives the ELBO's
        single-sample estimator.
        """
        mu, log_var = self.encode(x)
        x_filled, observed = split_missing(x)
        std = torch.exp(0.5 * log_var)
        weights = []
        for draw in eps:
            z = mu + std * draw
            eta = self.decode(self.latent.code(z))
            log_lik = self.likelihood.log_prob(x_filled, eta, observed)
            log_prior = _log_normal(z, self.prior_mean, self.prior_var)
            log_posterior = _log_normal(z, mu, log_var.exp())
            weights.append(log_lik + log_prior - log_posterior)
        return torch.stack(weights, dim=1)

    def elbo_terms(
        self,
        x: Rows,
        eps: torch.Tensor | None = None,
        encoder_x: torch.Tensor | None = None,
        softmax_samples: int | None = None,
        matmul_dtype: torch.dtype | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-row E_q[log p(x|z)] and KL(q(z|x) || prior).

        ``eps`` has shape (n_draws, n_components); each draw is shared by all
        rows, which makes the estimate deterministic and row-independent.  With
        ``eps=None`` one fresh draw per row is used (training).
        ``encoder_x`` is what the encoder sees instead of ``x`` (``x`` with
        more entries hidden, see :mod:`._masking`); the likelihood always
        scores every observed entry of ``x``.  ``softmax_samples`` (training
        only) estimates the multinomial's normaliser from that many sampled
        features instead of computing it over all of them
        (:meth:`~skvae._model.likelihoods.Multinomial.sampled_log_prob`); rows with
        missing entries are always scored exactly.  ``matmul_dtype`` is the
        precision of the decoder's product over the features (training only,
        see ``VAEEmbedder(precision=...)``).
        """
        mu, log_var = self.encode(x if encoder_x is None else encoder_x)
        x_filled, observed = split_missing(x)
        std = torch.exp(0.5 * log_var)
        draws = torch.randn_like(std)[None] if eps is None else eps[:, None, :]
        sampled = softmax_samples is not None and observed is None
        log_lik = mu.new_zeros(mu.shape[0])
        for draw in draws:
            code = self.latent.code(mu + std * draw)
            if sampled:
                r, weight, bias = self.decoder.output_layer(code, self.embedding)
                log_lik = log_lik + self.likelihood.sampled_log_prob(
                    x_filled, r, weight, bias, softmax_samples
                )
            else:
                eta = self.decode(code, matmul_dtype)
                log_lik = log_lik + self.likelihood.log_prob(x_filled, eta, observed)
        return log_lik / len(draws), self.kl(mu, log_var)


def _log_normal(z: torch.Tensor, mean, var) -> torch.Tensor:
    """log N(z; mean, diag var), summed over the last dimension."""
    var = torch.as_tensor(var, dtype=z.dtype, device=z.device)
    return -0.5 * ((z - mean) ** 2 / var + torch.log(2 * torch.pi * var)).sum(dim=-1)


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


def create_network(
    spec: NetworkSpec, statistics: dict[str, np.ndarray], X=None
) -> VAENetwork:
    """A freshly initialised network (uses torch's global RNG).

    ``X``, the training data, lets the latent start some decoder columns
    from it (:meth:`~skvae._model.latents.Latent.initial_loadings`).
    """
    likelihood = LIKELIHOOD_CLASSES[spec.likelihood](statistics)
    network = VAENetwork(spec, likelihood)
    with torch.no_grad():
        if network.latent.decoder_bias:
            network.decoder.bias.copy_(likelihood.initial_bias())
        columns = None if X is None else network.latent.initial_loadings(spec, X)
        if columns is not None and not spec.tied_weights:
            weight = network.decoder.linear.weight
            for k, values in columns.items():
                weight[:, k] = torch.as_tensor(values, dtype=weight.dtype)
    return network
