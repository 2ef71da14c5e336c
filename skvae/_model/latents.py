"""Latent spaces: the prior over z, what the decoder sees of z, their defaults.

Each kind is one class, registered in :data:`LATENT_CLASSES` under the name
that ``VAEEmbedder(latent=...)`` takes.  A latent owns everything that differs
between kinds:

- the prior's moments (for the KL term and :meth:`~skvae.VAEEmbedder.sample`);
- the normalisation of the encoder's first layer and of the posterior
  parameters, and of the decoder's output (its modules hold their weights and
  running statistics, so they travel with the network's state);
- the code ``c(z)``: what the decoder reads and ``transform`` returns;
- how the decoder's weights read as loadings (``components_``);
- its own hyper-parameters (:attr:`Latent.hyperparameters`), their checks on
  numpy input, the training defaults and the likelihoods it allows, all
  checked before any torch code runs.

Adding a kind is one subclass of :class:`Latent` and :func:`register_latent`:
``VAEEmbedder(latent=name)`` accepts it from then on, and takes its
hyper-parameters in ``latent_params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import Interval
from torch import nn
from torch.nn import functional as F

from .likelihoods import resolve_likelihood, value_range

# Terms a seeded topic starts on: as many as topic diversity's top terms.
_SEED_START_TERMS = 25


@dataclass(frozen=True)
class TrainingDefaults:
    """What ``"auto"`` means for the estimator's training parameters."""

    batch_size: int
    learning_rate: float
    dropout: float
    #: Input dropout on complete data; None: the likelihood's default.
    input_dropout: float | None = None


@dataclass(frozen=True)
class LatentParameter:
    """A hyper-parameter of one latent kind: its default and what it accepts
    (a list of scikit-learn parameter constraints)."""

    default: object
    constraints: list


class Latent(nn.Module):
    """Interface shared by the latent spaces; the default methods do nothing.

    Parameters
    ----------
    spec : NetworkSpec
        The architecture: ``n_components``, the encoder's first width
        (``embedding_width``), ``n_features`` (the decoder's output width)
        and the latent's own hyper-parameters (``latent_params``, as
        :meth:`resolve_parameters` returns them).
    """

    name = ""
    #: The kind's own hyper-parameters.  The estimator validates them against
    #: their constraints and passes them to :meth:`resolve_parameters`.
    hyperparameters: dict[str, LatentParameter] = {}
    #: Likelihoods the latent is defined for; None: all of them.
    likelihoods: tuple[str, ...] | None = None
    defaults = TrainingDefaults(batch_size=500, learning_rate=2e-3, dropout=0.0)
    #: Fewest rows a training batch may have.
    min_samples = 1
    #: Whether the training loss scores the damped counts log(1 + x).
    damps_counts = False
    #: Whether the decoder adds a learned per-feature bias to its output.
    decoder_bias = True
    #: Whether :meth:`normalize_logits` uses all features at once (then the
    #: training loss cannot sample features).
    normalizes_logits = False
    #: Whether ``transform`` returns rows that sum to 1 (topic proportions).
    proportions = False

    def __init__(self, spec):
        super().__init__()
        self.n_components = spec.n_components

    # -- checks on numpy input, before any torch code (class methods) --------

    @classmethod
    def resolve_parameters(
        cls, values: dict, n_features: int, n_components: int, feature_names
    ) -> dict:
        """The kind's hyper-parameters as the network is built with them.

        ``values`` holds every name of :attr:`hyperparameters`, already checked
        against its constraints; ``feature_names`` are X's column names or
        None.  Raise ValueError for values that do not suit the data.  The
        result must survive JSON (the safetensors metadata): numbers,
        strings and (nested) tuples.
        """
        return dict(values)

    @classmethod
    def resolve_likelihood(cls, X, requested: str) -> str:
        """The likelihood for data X when the user asked for ``requested``."""
        return resolve_likelihood(X, requested)

    @classmethod
    def check_likelihood(
        cls, likelihood: str, requested: str, estimator_name: str
    ) -> None:
        """Raise ValueError when the latent is not defined for ``likelihood``."""
        if cls.likelihoods is None or likelihood in cls.likelihoods:
            return
        allowed = " or ".join(repr(name) for name in cls.likelihoods)
        if requested == "auto":
            # resolve_likelihood picked a likelihood outside the latent's:
            # the data is outside the support of all of them.
            raise ValueError(
                f"Negative values in data passed to {estimator_name}: "
                f"latent={cls.name!r} needs data that suits the {allowed} "
                f"likelihood (non-negative counts); 'auto' chose {likelihood!r}."
            )
        raise ValueError(
            f"latent={cls.name!r} needs the {allowed} likelihood; got "
            f"likelihood={likelihood!r}."
        )

    @classmethod
    def check_n_samples(cls, n_samples: int) -> None:
        """Raise ValueError when a batch of ``n_samples`` rows cannot train."""
        if n_samples < cls.min_samples:
            raise ValueError(
                f"latent={cls.name!r} needs at least {cls.min_samples} samples "
                f"(its batch normalisation cannot train on fewer); got "
                f"n_samples={n_samples}."
            )

    # -- the network's pieces -------------------------------------------------

    def prior_moments(self) -> tuple[float, float]:
        """Mean and variance of each latent coordinate under the prior."""
        return 0.0, 1.0

    def normalize_hidden(self, h: torch.Tensor) -> torch.Tensor:
        """The encoder's first-layer output, before its activation."""
        return h

    def normalize_posterior(
        self, mu: torch.Tensor, log_var: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior parameters as the encoder's heads give them."""
        return mu, log_var

    def code(self, z: torch.Tensor) -> torch.Tensor:
        """What the decoder reads of z, and ``transform`` returns of its mean."""
        return z

    def normalize_logits(self, eta: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        """The decoder's output for ``code``: the natural parameters of p(x | z)."""
        return eta

    def loadings(self, weight: torch.Tensor) -> torch.Tensor:
        """The decoder's (n_features, n_components) weight as applied to a code.

        Used for ``components_`` (its transpose); only for a linear decoder.
        """
        return weight

    @classmethod
    def initial_loadings(cls, spec, X) -> dict[int, np.ndarray] | None:
        """Starting decoder weights of some latent dimensions, from data X.

        A dict from dimension to an (n_features,) array, or None (all random).
        """
        return None


class GaussianLatent(Latent):
    """z ~ N(0, I); the decoder reads z itself.

    The encoder's first layer is layer-normalised: a document with thousands
    of distinct terms would otherwise reach pre-activations far larger than a
    typical one and, through mu and log_var, send gradient spikes that made
    training diverge on large vocabularies.
    """

    name = "gaussian"

    def __init__(self, spec):
        super().__init__(spec)
        self.hidden_norm = nn.LayerNorm(spec.embedding_width)

    def normalize_hidden(self, h):
        return self.hidden_norm(h)


class TopicLatent(Latent):
    """ProdLDA's latent (Srivastava & Sutton, 2017): topic proportions.

    A logistic-normal latent whose prior is the Laplace approximation of a
    symmetric Dirichlet(alpha), topic proportions theta = softmax(z), batch
    normalised posterior parameters, and a product-of-experts decoder: linear
    in theta, then batch normalisation of the logits (which removes any
    per-feature offset, hence no decoder bias).  Layer normalisation of the
    encoder's first layer, as in the Gaussian latent, cost topic coherence
    here (docs/notes/2026-12-06-model-variants.md, "Topic mode").

    Training scores damped counts log(1 + x): under the raw multinomial a few
    long documents that repeat some terms hundreds of times claim topics of
    their own (see :meth:`skvae._model.likelihoods.Likelihood.training_target`).
    """

    name = "topic"
    hyperparameters = {
        "doc_topic_prior": LatentParameter(
            1.0, [Interval(Real, 0, None, closed="neither")]
        ),
        "seed_topics": LatentParameter(None, [None, list, tuple]),
        "seed_strength": LatentParameter(8.0, [Interval(Real, 0, None, closed="left")]),
    }
    likelihoods = ("multinomial", "poisson")
    defaults = TrainingDefaults(
        batch_size=200, learning_rate=1e-3, dropout=0.2, input_dropout=0.0
    )
    min_samples = 2
    damps_counts = True
    decoder_bias = False
    normalizes_logits = True
    proportions = True

    def __init__(self, spec):
        super().__init__(spec)
        params = spec.latent_params
        self.doc_topic_prior = params["doc_topic_prior"]
        self.mu_norm = nn.BatchNorm1d(spec.n_components, affine=False)
        self.log_var_norm = nn.BatchNorm1d(spec.n_components, affine=False)
        self.logits_norm = nn.BatchNorm1d(spec.n_features, affine=False)
        # Guided topics: topic k's seed terms get a fixed extra weight,
        # ``seed_strength``, on top of the learned ones (a prior on the
        # topic's terms, like tomotopy's set_word_prior); rows without seeds
        # are zero.
        seeds = None
        if params["seed_topics"]:
            seeds = torch.zeros(spec.n_components, spec.n_features)
            for topic, terms in enumerate(params["seed_topics"]):
                seeds[topic, list(terms)] = params["seed_strength"]
        self.register_buffer("seed_weights", seeds)

    @classmethod
    def resolve_parameters(cls, values, n_features, n_components, feature_names):
        return {
            "doc_topic_prior": float(values["doc_topic_prior"]),
            "seed_topics": _seed_indices(
                values["seed_topics"], n_features, n_components, feature_names
            ),
            "seed_strength": float(values["seed_strength"]),
        }

    @classmethod
    def resolve_likelihood(cls, X, requested):
        # A topic model reads any non-negative data as (soft) counts.
        if requested == "auto" and value_range(X)[0] >= 0:
            return "multinomial"
        return resolve_likelihood(X, requested)

    def prior_moments(self):
        # Laplace approximation of Dirichlet(alpha) in the softmax basis.
        k = self.n_components
        if k == 1:
            return 0.0, 1.0
        return 0.0, (1.0 - 1.0 / k) / self.doc_topic_prior

    def normalize_posterior(self, mu, log_var):
        return self.mu_norm(mu), self.log_var_norm(log_var)

    def code(self, z):
        # No dropout on theta (unlike ProdLDA): a decoder that must also
        # reconstruct a document from a thinned mixture is rewarded for
        # spreading a theme over several near-duplicate topics, which cut
        # topic diversity (docs/notes/2026-12-06-model-variants.md, "Topic mode").
        return F.softmax(z, dim=1)

    @classmethod
    def initial_loadings(cls, spec, X):
        # A seeded topic starts with weight 1 on the terms most typical of the
        # documents that use its seeds (the largest log-ratios of their term
        # frequencies to the corpus's) and 0 elsewhere.  With no start, a
        # seeded topic may hold its seeds and little else; with the whole
        # standardised profile as its start it was strong from the first epoch
        # and cost the unseeded topics coherence (the variant log,
        # docs/notes/2026-12-06-model-variants.md, "Guided topics").
        seed_topics = spec.latent_params["seed_topics"]
        if not seed_topics:
            return None
        X = sp.csr_matrix(X, dtype=np.float64)
        X.data = np.nan_to_num(X.data)
        background = np.asarray(X.sum(axis=0)).ravel() + 1.0
        background /= background.sum()
        n_typical = min(_SEED_START_TERMS, spec.n_features)
        columns = {}
        for topic, terms in enumerate(seed_topics):
            weights = np.asarray(X[:, list(terms)].sum(axis=1)).ravel()
            profile = np.asarray(X.T @ weights).ravel() + 1.0
            log_ratio = np.log(profile / profile.sum()) - np.log(background)
            start = np.zeros(spec.n_features)
            start[np.argsort(log_ratio, kind="stable")[-n_typical:]] = 1.0
            columns[topic] = start
        return columns

    def normalize_logits(self, eta, code):
        if self.seed_weights is not None:
            eta = eta + code @ self.seed_weights
        return self.logits_norm(eta)

    def loadings(self, weight):
        # The batch norm divides each feature by its running standard
        # deviation: the loadings include that, so they are the weights the
        # model really applies.  They are also centred over the topics: as the
        # proportions sum to 1 (and the batch norm removes any per-feature
        # offset), adding a constant to all topics' weights for one feature
        # does not change the model.  Centring fixes that arbitrary offset:
        # row k is how much topic k raises each logit relative to the uniform
        # mixture.  The uncentred weights rank terms partly by the offset,
        # which gave less coherent top terms (docs/notes/
        # 2026-12-06-model-variants.md, "Topic mode").
        if self.seed_weights is not None:
            weight = weight + self.seed_weights.T
        norm = self.logits_norm
        scale = torch.sqrt(norm.running_var.to(weight.dtype) + norm.eps)
        weight = weight / scale[:, None]
        return weight - weight.mean(dim=1, keepdim=True)


def _seed_indices(
    seed_topics, n_features: int, n_components: int, feature_names
) -> tuple[tuple[int, ...], ...]:
    """``seed_topics`` (lists of terms or feature indices) as feature indices."""
    if seed_topics is None:
        return ()
    if len(seed_topics) > n_components:
        raise ValueError(
            f"seed_topics has {len(seed_topics)} topics but "
            f"n_components={n_components}."
        )
    index = {} if feature_names is None else {n: j for j, n in enumerate(feature_names)}
    resolved = []
    for k, terms in enumerate(seed_topics):
        if isinstance(terms, str) or not hasattr(terms, "__iter__"):
            raise ValueError(
                f"seed_topics[{k}] must be a list of terms, got {terms!r}."
            )
        indices = []
        for term in terms:
            if isinstance(term, str):
                if feature_names is None:
                    raise ValueError(
                        f"seed_topics[{k}] names the term {term!r}, but X has "
                        "no feature names; pass feature indices (e.g. "
                        "skvae.text.term_indices(vectorizer, seeds))."
                    )
                if term not in index:
                    raise ValueError(
                        f"seed_topics[{k}]: {term!r} is not a feature of X."
                    )
                indices.append(index[term])
            elif isinstance(term, Integral) and 0 <= term < n_features:
                indices.append(int(term))
            else:
                raise ValueError(
                    f"seed_topics[{k}] holds {term!r}: not a term or a feature "
                    f"index in [0, {n_features})."
                )
        if not indices:
            raise ValueError(f"seed_topics[{k}] is empty.")
        resolved.append(tuple(indices))
    return tuple(resolved)


#: The latent kinds by the name ``VAEEmbedder(latent=...)`` takes.
LATENT_CLASSES: dict[str, type[Latent]] = {}


def register_latent(cls: type[Latent]) -> type[Latent]:
    """Make ``VAEEmbedder(latent=cls.name)`` build ``cls``; returns ``cls``
    (so it also serves as a class decorator).

    Raises
    ------
    ValueError
        If another class is registered under the same name.
    """
    if not (isinstance(cls, type) and issubclass(cls, Latent)) or not cls.name:
        raise TypeError(f"{cls!r} is not a Latent subclass with a name.")
    registered = LATENT_CLASSES.setdefault(cls.name, cls)
    if registered is not cls:
        raise ValueError(f"A latent kind named {cls.name!r} is already registered.")
    return cls


def unregister_latent(name: str) -> None:
    """Inverse of :func:`register_latent` (for the built-in kinds too)."""
    del LATENT_CLASSES[name]


register_latent(GaussianLatent)
register_latent(TopicLatent)
