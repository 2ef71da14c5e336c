"""Training-time input dropout: entries hidden from the encoder, still scored.

At each training step a random share of every row's observed entries is
hidden from the encoder while the likelihood still scores all of them, so
that the decoder has to predict entries the encoder did not see.

- Data with missing values (NaN): the hidden entries become NaN, filled and
  flagged exactly like the real missing ones, and the share is the data's own
  missing rate, so that the artificial holes look like the real ones.  This
  is the idea of denoising autoencoders for imputation and of VAEAC /
  Partial VAE (Ivanov et al. 2019; Ma et al. 2019).
- Complete data: the hidden entries become 0, i.e. words dropped from a
  document (word dropout).  A model that must infer a document's theme from
  a fifth of its words, and predict the rest, learns embeddings that carry
  the theme rather than the particular words, as in denoising autoencoders
  and Doc2VecC (Chen, 2017); the evidence is in docs/notes/2026-12-06-model-variants.md,
  "Word dropout".

Only training is affected: transform, score and the validation ELBO see the
data as given.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from .._kernels import Rows, SparseRows


def missing_rate(X) -> float:
    """Share of the entries of X that are NaN (stored NaN for sparse X)."""
    n_entries = X.shape[0] * X.shape[1]
    if n_entries == 0:
        return 0.0
    values = X.data if sp.issparse(X) else X
    return float(np.isnan(values).sum()) / n_entries


def hide_observed(x: Rows, rate: float) -> Rows:
    """``x`` with each observed entry also set to NaN with probability ``rate``.

    Draws from torch's global RNG (seeded by ``fit``).  ``rate=0`` returns
    ``x`` itself and draws nothing.
    """
    if rate <= 0:
        return x
    if isinstance(x, SparseRows):  # a batch of rows that happen to have no NaN
        x = x.to_dense()
    hidden = torch.rand(x.shape, device=x.device) < rate
    return x.masked_fill(hidden, float("nan"))


def drop_entries(x: Rows, rate: float) -> Rows:
    """``x`` with each entry set to 0 with probability ``rate`` (word dropout).

    Only non-zero entries can be dropped.  A sparse batch loses the dropped
    entries (:meth:`SparseRows.keep_entries`): the encoder's first layer,
    forward and backward, then costs a fifth of the stored entries at rate
    0.8, with the same result as multiplying by zeros.  Draws from torch's
    global RNG; ``rate=0`` returns ``x`` itself and draws nothing.
    """
    if rate <= 0:
        return x
    if isinstance(x, SparseRows):
        kept = torch.rand(x.values.shape, device=x.values.device) >= rate
        return x.keep_entries(kept)
    # One draw per non-zero in row-major order, as for the same rows stored
    # sparse: dense and sparse input train identically.
    nonzero = x.nonzero(as_tuple=True)
    kept = torch.rand(nonzero[0].shape, device=x.device) >= rate
    return x.index_put(nonzero, x[nonzero] * kept)
