"""The multinomial log-likelihood of a batch: exact, and with a sampled normaliser.

Both return, per row, ``sum_j x_j log softmax(eta)_j`` (the multinomial
coefficient is the likelihood's business).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from .sparse import (
    Rows,
    SparseRows,
    add_at_stored,
    gather,
    row_logsumexp,
    row_sum,
    stored_in,
    stored_products,
    stored_values,
)


def multinomial_log_likelihood(eta: torch.Tensor, x: Rows) -> torch.Tensor:
    """Per row, ``sum_j x_j log softmax(eta)_j``; consumes ``eta``.

    The softmax is written over eta's own memory and becomes the gradient in
    the backward pass, so that a step allocates no (rows, features) tensor
    of its own: callers never read eta afterwards, and a graph through it is
    used once.
    """
    return _MultinomialLogLikelihood.apply(eta, x)


class _MultinomialLogLikelihood(torch.autograd.Function):
    """The exact log-likelihood with a hand-written backward.

    The gradient with respect to eta is ``x - N * softmax(eta)`` (N the row's
    total count), so the forward pass keeps softmax(eta) and the backward pass
    rescales it and adds x at its stored entries.  The log normaliser comes
    from each row's largest logit, whose probability (at least 1 / n_features)
    cannot underflow.  Autograd's version (log_softmax, a gather, then a
    zero-filled scatter of the gradient and log_softmax's backward) makes
    more passes over (rows, features) tensors
    (``benchmarks/studies/speed_tricks.py``).
    """

    @staticmethod
    def forward(ctx, eta, x):
        # What reads eta comes first: the softmax overwrites it (a dense x's
        # gather is eta itself).
        largest_logit = eta.amax(dim=1)
        counts = stored_values(x)
        lengths = row_sum(x, counts)
        stored_sum = row_sum(x, counts * gather(x, eta))
        probabilities = torch.softmax(eta, dim=1, out=eta)
        largest = probabilities.amax(dim=1)  # the largest logit's probability
        log_normaliser = largest_logit - torch.log(largest)
        ctx.x = x
        ctx.save_for_backward(probabilities, lengths)
        return stored_sum - lengths * log_normaliser

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        probabilities, lengths = ctx.saved_tensors
        # The graph is used once: the softmax's memory becomes the gradient.
        grad = probabilities.mul_((-grad_output * lengths)[:, None])
        return add_at_stored(grad, ctx.x, grad_output), None


def sampled_multinomial_log_likelihood(
    x: SparseRows,
    r: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    proposal: torch.Tensor,
    n_samples: int,
) -> torch.Tensor:
    """Per row, ``sum_j x_j log softmax(eta)_j`` with the normaliser estimated.

    ``eta = r @ weight.T + bias`` is computed only where it is needed: at
    the row's stored entries (exactly) and at ``n_samples`` features drawn
    from ``proposal`` (shared by the rows of the batch).  The normaliser of
    row i is its stored terms' exp(eta) plus an importance sampling estimate
    of the rest:

        Z_i = sum_{j in x_i} exp(eta_ij)
              + 1/m sum_k [s_k not in x_i] exp(eta_{i s_k}) / q(s_k),

    unbiased for Z_i, so that the cost of a step grows with the stored
    entries and ``n_samples`` instead of the features.  ``log Z_i`` is then
    slightly biased low (Jensen).
    """
    drawn = torch.multinomial(proposal, n_samples, replacement=True)
    # The drawn features' rows of the decoder are gathered by index_select:
    # its backward is an index_add, an order of magnitude faster on CPU than
    # the accumulating index_put behind weight[index].
    stored_eta = stored_products(r, weight, x)
    sampled_eta = F.linear(r, weight.index_select(0, drawn))
    if bias is not None:
        stored_eta = stored_eta + bias.index_select(0, x.columns)
        sampled_eta = sampled_eta + bias.index_select(0, drawn)
    sampled_eta = sampled_eta - torch.log(proposal[drawn] * n_samples)
    sampled_eta = sampled_eta.masked_fill(stored_in(x, drawn), -torch.inf)
    log_normaliser = torch.logaddexp(
        row_logsumexp(x, stored_eta), torch.logsumexp(sampled_eta, dim=1)
    )
    counts = x.values
    return row_sum(x, counts * stored_eta) - row_sum(x, counts) * log_normaliser
