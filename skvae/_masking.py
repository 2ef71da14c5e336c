"""Training-time artificial missingness, for data that has missing values.

When the training data has NaN, each training step also hides a random share
of the *observed* entries from the encoder (filled and flagged exactly like
missing ones) while the likelihood still scores them.  The decoder then has to
predict entries the encoder did not see, which is the imputation task;
otherwise the model only learns to reproduce what the encoder was shown.  This
is the idea of denoising autoencoders for imputation and of VAEAC / Partial
VAE (Ivanov et al. 2019; Ma et al. 2019).

The share is the data's own missing rate, so that the artificial holes look
like the real ones; data without NaN is trained as before.  Only training is
affected: transform, score and the validation ELBO see the data as given.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from ._batching import Rows, SparseRows


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
