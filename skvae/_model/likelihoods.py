"""Observation models p(x | z): one small torch module per likelihood.

Every likelihood turns the decoder's output ``eta`` (one value per feature, the
natural parameter) into a per-sample log-likelihood, an expected value and
random draws, and prepares the input the encoder sees.  The input checks live
here too, in plain numpy, so they run before any torch code.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.sparsefuncs import mean_variance_axis
from torch import nn
from torch.nn import functional as F

from .._kernels import (
    Rows,
    SparseRows,
    gather,
    map_stored,
    multinomial_log_likelihood,
    row_sum,
    sampled_multinomial_log_likelihood,
    scale_columns,
    stored_values,
)

# "auto" reads non-negative data as a bag of words when at most this share of
# its entries is non-zero, like a document-term matrix; binary bags of words
# too embed better as multinomial than as Bernoulli (the variant log,
# docs/notes/2026-12-06-model-variants.md).
_MAX_BAG_NONZERO_SHARE = 0.1

# Lower bound on the Gaussian standard deviation (in standardised units): a
# constant feature would otherwise let the likelihood grow without limit.
_MIN_GAUSSIAN_SCALE = 1e-3


def _values(X) -> np.ndarray:
    """The observed values of X (stored entries of a sparse matrix), NaN dropped."""
    values = X.data if sp.issparse(X) else np.asarray(X).ravel()
    return values[~np.isnan(values)]


def value_range(X) -> tuple[float, float]:
    """Smallest and largest value of X (sparse: 0 included), NaN ignored."""
    values = _values(X)
    low = float(values.min()) if values.size else 0.0
    high = float(values.max()) if values.size else 0.0
    if sp.issparse(X) and X.nnz < X.shape[0] * X.shape[1]:
        low, high = min(low, 0.0), max(high, 0.0)
    return low, high


def _is_integer(X) -> bool:
    return not np.any(np.mod(_values(X), 1) != 0)


def nonzero_share(X) -> float:
    """Share of the entries of X that are non-zero (NaN counted as zero)."""
    n_entries = X.shape[0] * X.shape[1]
    if n_entries == 0:
        return 0.0
    return np.count_nonzero(_values(X)) / n_entries


def resolve_likelihood(X, likelihood: str) -> str:
    """Return the likelihood to use for ``X``; ``"auto"`` inspects the data.

    - negative values: ``"gaussian"``;
    - non-negative and sparse like a document-term matrix (at most a tenth
      of the entries non-zero): ``"multinomial"``, a bag of words, whether
      the values are counts, binary indicators or weights such as TF-IDF
      (soft counts, see :class:`Multinomial`);
    - other non-negative integers: ``"bernoulli"`` when every value is 0 or
      1, ``"multinomial"`` otherwise;
    - other fractional values (dense measurements): ``"gaussian"``.

    Missing values (NaN) are ignored.
    """
    if likelihood != "auto":
        return likelihood
    low, high = value_range(X)
    if low < 0:
        return "gaussian"
    if nonzero_share(X) <= _MAX_BAG_NONZERO_SHARE:
        return "multinomial"
    if _is_integer(X):
        return "bernoulli" if high <= 1 else "multinomial"
    return "gaussian"


def count_scale(X) -> float:
    """The value that counts as one occurrence: 1, or soft counts' median.

    Integer counts are taken as given.  For soft counts (e.g. TF-IDF
    weights, whose scale depends on the vectorizer's ``norm`` and
    ``sublinear_tf``) it is the median stored value, so that a typical
    stored entry weighs one occurrence.  Unscaled, an l2-normalised TF-IDF
    row holds about 10 "words" of evidence against hundreds in its counts,
    and the KL term wins: most latent dimensions collapse (the variant log,
    docs/notes/2026-12-06-model-variants.md).
    """
    values = _values(X)
    values = values[values > 0]
    if values.size == 0 or _is_integer(X):
        return 1.0
    return float(np.median(values))


def check_likelihood_input(X, likelihood: str, estimator_name: str) -> None:
    """Raise ``ValueError`` when ``X`` lies outside the likelihood's support."""
    likelihood_class = LIKELIHOOD_CLASSES[likelihood]
    if not likelihood_class.non_negative:
        return
    low, high = value_range(X)
    # sklearn's check_non_negative would let a NaN hide the negative values.
    if low < 0:
        raise ValueError(
            f"Negative values in data passed to {estimator_name} "
            f"(likelihood={likelihood!r})."
        )
    upper = likelihood_class.upper_bound
    if upper is not None and high > upper:
        raise ValueError(
            f"{estimator_name} with likelihood={likelihood!r} needs values in "
            f"[0, {upper:g}]; the largest value in X is {high:g}."
        )


def has_missing(X) -> bool:
    values = X.data if sp.issparse(X) else X
    return bool(np.isnan(values).any())


def input_statistics(X, likelihood: str) -> dict[str, np.ndarray]:
    """Per-feature statistics of the training data that a likelihood keeps.

    They set the decoder's initial bias (the average row), the values the
    encoder sees in place of missing entries (``feature_mean``) and, for the
    Gaussian, the standardisation of each feature.  NaNs are ignored.
    """
    if sp.issparse(X):
        mean, var = mean_variance_axis(X, axis=0)
        row_sums = np.asarray(
            sp.csr_matrix((np.nan_to_num(X.data), X.indices, X.indptr), X.shape).sum(
                axis=1
            )
        ).ravel()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            mean, var = np.nanmean(X, axis=0), np.nanvar(X, axis=0)
        row_sums = np.nansum(X, axis=1)
    mean = np.nan_to_num(np.asarray(mean, dtype=np.float64))
    statistics = {"feature_mean": mean}
    var = np.nan_to_num(np.asarray(var, dtype=np.float64))
    extra = LIKELIHOOD_CLASSES[likelihood].statistics(X, mean, var, row_sums)
    return {**statistics, **extra}


def observed_only(x: Rows, observed: torch.Tensor | None) -> Rows:
    """x with its unobserved entries set to 0 (they then add no stored term)."""
    if observed is None:
        return x
    return torch.where(observed, x, torch.zeros_like(x))


def masked_sum(terms: torch.Tensor, observed: torch.Tensor | None) -> torch.Tensor:
    """Sum of per-feature terms over the observed features of each row."""
    if observed is not None:
        terms = torch.where(observed, terms, torch.zeros_like(terms))
    return terms.sum(dim=1)


def _gaussian_kernel(standardized, eta, std):
    return -0.5 * ((standardized - eta) / std) ** 2


class Likelihood(nn.Module):
    """Interface shared by the observation models.

    Parameters
    ----------
    statistics : dict of str to ndarray
        The output of :func:`input_statistics` for the training data; stored as
        buffers so that they travel with the network's state.
    """

    name = ""
    # Learned tensors of the likelihood itself; every other tensor it holds is
    # a statistic of the training data.
    parameter_names: tuple[str, ...] = ()
    #: Whether the support is x >= 0 (negative input is rejected).
    non_negative = False
    #: The largest value of the support, if any.
    upper_bound: float | None = None
    #: Whether it models counts of events, so that a per-event perplexity
    #: (LatentDirichletAllocation's) is defined.
    counts = False
    #: Whether training can estimate its normaliser from sampled features
    #: (:meth:`Multinomial.sampled_log_prob`).
    samples_features = False
    #: Share of a complete row's entries hidden from the encoder in training
    #: by default (``input_dropout="auto"``, see :mod:`skvae._model.masking`).
    input_dropout = 0.0

    def __init__(self, statistics: dict[str, np.ndarray]):
        super().__init__()
        for key, value in statistics.items():
            # np.array copies: fitted state may be a read-only memmap.
            self.register_buffer(key, torch.tensor(np.array(value, dtype=np.float32)))

    @classmethod
    def statistics(
        cls, X, mean: np.ndarray, var: np.ndarray, row_sums: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The statistics of training data X this likelihood keeps.

        ``mean``, ``var`` and ``row_sums`` are X's per-feature means and
        variances and per-row sums (NaN ignored); ``feature_mean`` is always
        kept.
        """
        return {}

    def training_target(self, x: Rows) -> Rows:
        """What the training loss scores of a batch when its latent damps counts.

        Count likelihoods score log(1 + x): each repeat of a term in a
        document adds less.  Under the raw multinomial a few long documents
        that repeat some terms hundreds of times (code listings, tables of
        scores, binaries) weigh as much as hundreds of ordinary documents
        and claim topics of their own, whose top terms rarely occur together
        in other documents.  Damping the counts of a term within a document
        is the log term weighting of Wilson & Chew (2010) for LDA.
        ``score``, ``perplexity`` and the validation ELBO still score the
        data as given.
        """
        return x

    def encoder_input(self, x: Rows) -> tuple[Rows, torch.Tensor | None]:
        """What the encoder sees of ``x``: ``f(x) + shift`` (shift may be None).

        ``f`` maps 0 to 0 entry by entry, so it keeps sparse rows sparse; the
        per-feature ``shift`` is what an absent entry becomes.
        """
        return x, None

    def initial_bias(self) -> torch.Tensor:
        """Decoder bias that makes an all-zero ``z`` decode to the mean input."""
        raise NotImplementedError

    def log_prob(
        self, x: Rows, eta: torch.Tensor, observed: torch.Tensor | None
    ) -> torch.Tensor:
        """log p(x | eta) summed over the observed features: one value per row.

        ``x`` is a dense batch without NaN (missing entries are filled, and
        ``observed`` is the boolean mask of observed entries, or None when all
        are observed) or :class:`SparseRows` (all entries observed).  Terms are
        written as a sum over x's stored entries plus a dense sum over eta, so
        that a sparse batch costs its non-zeros.  The likelihood may reuse
        eta's memory: callers never read eta again.
        """
        raise NotImplementedError

    def n_events(self, total: float) -> float:
        """The number of events (words) in data whose values sum to ``total``."""
        return total

    def sequence_correction(self, x: Rows) -> torch.Tensor:
        """Per-row term to subtract from log p(x|z) for a per-word bound.

        The multinomial's log(N! / prod x_j!): without it the bound is that of
        the word sequence, as in LDA's perplexity.
        """
        return stored_values(x).new_zeros(x.shape[0])

    def mean(self, eta: torch.Tensor) -> torch.Tensor:
        """E[x | eta] in the input's units."""
        raise NotImplementedError

    def loadings_in_input_units(self, weight: torch.Tensor) -> torch.Tensor:
        """Decoder weights (n_features, k) as effects on what ``components_`` means.

        The natural parameter itself for most likelihoods.
        """
        return weight

    def sample(self, mean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw x given its expected value ``mean`` (numpy, device-free)."""
        raise NotImplementedError


class Multinomial(Likelihood):
    """Word counts of a document drawn from softmax(eta).

    The document length is taken as given, so the expected value of a decoded
    latent row is softmax(eta) times the mean training document length.

    Soft counts (non-integer weights such as TF-IDF) are divided by
    ``count_scale``, their median stored value in the training data
    (:func:`count_scale`; 1 for integer counts), so that a typical stored
    entry weighs one occurrence whatever the weighting's units.
    """

    name = "multinomial"
    non_negative = True
    counts = True
    samples_features = True
    # A bag of words that loses four words in five is still the same
    # document: see skvae._model.masking and the variant log,
    # docs/notes/2026-12-06-model-variants.md, "Word dropout".
    input_dropout = 0.8

    @classmethod
    def statistics(cls, X, mean, var, row_sums):
        mean_length = max(float(row_sums.mean()), 1.0)
        frequency = mean / mean.sum() if mean.sum() > 0 else np.ones_like(mean)
        return {
            "frequency": frequency,
            "mean_length": np.array([mean_length]),
            "count_scale": np.array([count_scale(X)]),
        }

    def counts_of(self, x: Rows) -> Rows:
        """x in occurrences: divided by ``count_scale``."""
        if torch.all(self.count_scale == 1):
            return x
        return map_stored(x, lambda values: values / self.count_scale)

    def training_target(self, x):
        # log(1 + counts), in x's own units.
        return map_stored(
            x, lambda values: self.count_scale * torch.log1p(values / self.count_scale)
        )

    def n_events(self, total: float) -> float:
        return total / float(self.count_scale)

    def encoder_input(self, x):
        return map_stored(self.counts_of(x), torch.log1p), None

    def initial_bias(self):
        return torch.log(self.frequency + 1e-8)

    def log_prob(self, x, eta, observed):
        x = self.counts_of(x)
        if observed is None:
            log_p = multinomial_log_likelihood(eta, x)
            return log_p + self._coefficient(x)
        # Renormalise over the observed terms; a finite floor (not -inf)
        # keeps 0 * log p and the gradients finite.
        eta = eta.masked_fill(~observed, torch.finfo(eta.dtype).min / 4)
        x = observed_only(x, observed)
        counts = stored_values(x)
        log_p = row_sum(x, counts * gather(x, F.log_softmax(eta, dim=1)))
        return log_p + self._coefficient(x)

    def sequence_correction(self, x):
        return self._coefficient(self.counts_of(x))

    @staticmethod
    def _coefficient(counts: Rows) -> torch.Tensor:
        """log(N! / prod x_j!) of counts already in occurrences."""
        values = stored_values(counts)
        length = row_sum(counts, values)
        return torch.lgamma(length + 1) - row_sum(counts, torch.lgamma(values + 1))

    def proposal(self) -> torch.Tensor:
        """Distribution the sampled objective draws features from.

        The training frequencies raised to 0.75 (word2vec's smoothing of its
        negative-sampling distribution): frequent terms are drawn often, but
        rare ones not as rarely as their frequency alone would make them.  A
        twentieth of the mass is spread uniformly, so that every feature,
        also one unseen in training, can be drawn: the estimate stays
        unbiased and its weights 1 / q bounded (defensive importance
        sampling).
        """
        weights = self.frequency**0.75
        smoothed = weights / weights.sum().clamp_min(1e-30)
        return 0.95 * smoothed + 0.05 / len(weights)

    def sampled_log_prob(self, x, r, weight, bias, n_samples: int):
        """log p(x | eta) with the normaliser estimated from ``n_samples``
        features drawn from :meth:`proposal`, for training
        (:func:`~skvae._kernels.sampled_multinomial_log_likelihood`):
        ``eta = r @ weight.T + bias`` is computed only at the batch's stored
        entries and the drawn features.  ``log Z`` is then slightly biased
        low; the exact log-likelihood is what ``score`` and ``perplexity``
        report.  Dense batches are scored exactly.
        """
        if not isinstance(x, SparseRows):
            return self.log_prob(x, F.linear(r, weight, bias), None)
        x = self.counts_of(x)
        log_p = sampled_multinomial_log_likelihood(
            x, r, weight, bias, self.proposal(), n_samples
        )
        return log_p + self._coefficient(x)

    def mean(self, eta):
        return F.softmax(eta, dim=1) * self.mean_length

    def sample(self, mean, rng):
        lengths = rng.poisson(mean.sum(axis=1))
        probabilities = mean / mean.sum(axis=1, keepdims=True)
        return rng.multinomial(lengths, probabilities).astype(np.float64)


class Poisson(Likelihood):
    """Independent counts with rate exp(eta)."""

    name = "poisson"
    non_negative = True
    counts = True

    def training_target(self, x):
        return map_stored(x, torch.log1p)

    def encoder_input(self, x):
        return map_stored(x, torch.log1p), None

    def initial_bias(self):
        return torch.log(self.feature_mean + 1e-8)

    def log_prob(self, x, eta, observed):
        x = observed_only(x, observed)
        counts = stored_values(x)
        stored = row_sum(x, counts * gather(x, eta) - torch.lgamma(counts + 1))
        return stored - masked_sum(torch.exp(eta), observed)

    def mean(self, eta):
        return torch.exp(eta)

    def sample(self, mean, rng):
        return rng.poisson(mean).astype(np.float64)


class Bernoulli(Likelihood):
    """Independent binary features with probability sigmoid(eta)."""

    name = "bernoulli"
    non_negative = True
    upper_bound = 1.0

    def initial_bias(self):
        p = self.feature_mean.clamp(1e-6, 1 - 1e-6)
        return torch.log(p) - torch.log1p(-p)

    def log_prob(self, x, eta, observed):
        # x log sigmoid(eta) + (1 - x) log sigmoid(-eta) = x eta - softplus(eta)
        x = observed_only(x, observed)
        stored = row_sum(x, stored_values(x) * gather(x, eta))
        return stored - masked_sum(F.softplus(eta), observed)

    def mean(self, eta):
        return torch.sigmoid(eta)

    def sample(self, mean, rng):
        return (rng.random(mean.shape) < mean).astype(np.float64)


class Gaussian(Likelihood):
    """Real values with a learned per-feature variance.

    The decoder works on standardised features (``eta`` is the standardised
    mean), which keeps training stable whatever the input's units; the
    log-likelihood is still that of ``x`` in its own units.
    """

    name = "gaussian"
    parameter_names = ("raw_scale",)

    def __init__(self, statistics):
        super().__init__(statistics)
        self.raw_scale = nn.Parameter(torch.full_like(self.location, 0.5413))

    @classmethod
    def statistics(cls, X, mean, var, row_sums):
        scale = np.sqrt(var)
        scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
        return {"location": mean, "scale": scale}

    def encoder_input(self, x):
        return scale_columns(x, 1.0 / self.scale), -self.location / self.scale

    def initial_bias(self):
        return torch.zeros_like(self.location)

    def _std(self):
        return F.softplus(self.raw_scale) + _MIN_GAUSSIAN_SCALE

    def log_prob(self, x, eta, observed):
        std = self._std()
        normaliser = torch.log(std * self.scale) + 0.5 * math.log(2 * math.pi)
        if isinstance(x, SparseRows):
            # Every entry as if it were 0, then the stored entries corrected.
            zero = -self.location / self.scale
            total = _gaussian_kernel(zero, eta, std).sum(dim=1)
            columns = x.columns
            stored_eta = gather(x, eta)
            standardized = (x.values - self.location[columns]) / self.scale[columns]
            correction = _gaussian_kernel(
                standardized, stored_eta, std[columns]
            ) - _gaussian_kernel(zero[columns], stored_eta, std[columns])
            return total + row_sum(x, correction) - normaliser.sum()
        standardized = (x - self.location) / self.scale
        log_density = _gaussian_kernel(standardized, eta, std) - normaliser
        return masked_sum(log_density, observed)

    def mean(self, eta):
        return self.location + self.scale * eta

    def loadings_in_input_units(self, weight):
        return weight * self.scale.to(weight.dtype)[:, None]

    def noise_std(self) -> torch.Tensor:
        """Standard deviation of each feature in the input's units."""
        return self._std() * self.scale

    def sample(self, mean, rng):
        std = self.noise_std().detach().cpu().double().numpy()
        return mean + std * rng.standard_normal(mean.shape)


LIKELIHOOD_CLASSES: dict[str, type[Likelihood]] = {
    cls.name: cls for cls in (Multinomial, Poisson, Bernoulli, Gaussian)
}
