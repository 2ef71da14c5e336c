"""Sparse minibatches and the operations on their stored entries.

Sparse rows stay sparse (:class:`SparseRows`): the encoder's first layer and
the likelihoods only touch their stored entries, so the cost of a batch grows
with its non-zeros, not with rows x features.  Sparse rows holding NaN are
densified, one minibatch at a time, for the missing-value masks.
:func:`matmul` can give its weight a row-sparse gradient, which
:class:`~skvae._kernels.lazy_adam.LazyAdam` reads.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch


@dataclass(frozen=True)
class SparseRows:
    """A CSR minibatch on a torch device.

    ``values[k]`` sits at row ``row_index[k]`` and column ``columns[k]``;
    ``offsets`` are the row starts (CSR's indptr without its last entry).
    ``transpose`` is the same batch in CSC layout, (row indices, column
    starts, order): entry ``order[k]`` is the k-th in column-major order.
    Only training batches carry it (inference has no backward pass): the
    backward pass of :func:`matmul` needs it, and scipy builds it in linear
    time, several times faster than sorting the columns in torch.
    """

    values: torch.Tensor
    columns: torch.Tensor
    offsets: torch.Tensor
    row_index: torch.Tensor
    shape: tuple[int, int]
    transpose: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None

    @classmethod
    def from_csr(
        cls, X: sp.csr_matrix, *, dtype, device, with_transpose: bool = False
    ) -> SparseRows:
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()  # also sorts the indices
        row_index = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))

        def tensor(array, tensor_dtype=torch.int64):
            return torch.as_tensor(array, dtype=tensor_dtype, device=device)

        transpose = None
        if with_transpose:
            # Carrying each entry's position through the conversion gives the order.
            positions = sp.csr_matrix(
                (np.arange(1, X.nnz + 1), X.indices, X.indptr), shape=X.shape
            ).tocsc()
            transpose = (
                tensor(positions.indices),
                tensor(positions.indptr[:-1]),
                tensor(positions.data - 1),
            )
        return cls(
            values=tensor(X.data, dtype),
            columns=tensor(X.indices),
            offsets=tensor(X.indptr[:-1]),
            row_index=tensor(row_index),
            shape=X.shape,
            transpose=transpose,
        )

    @property
    def dtype(self) -> torch.dtype:
        return self.values.dtype

    def with_values(self, values: torch.Tensor) -> SparseRows:
        """The same sparsity pattern holding other values."""
        return dataclasses.replace(self, values=values)

    def keep_entries(self, kept: torch.Tensor) -> SparseRows:
        """The batch without the stored entries where ``kept`` is False.

        Its transpose layout, if any, is derived from this batch's: the
        entries keep their relative order in both layouts, so products over
        the smaller batch add up the same terms in the same order.
        """
        n_rows, n_columns = self.shape
        # Boolean indexing searches the mask once per indexed tensor: the
        # kept entries' indices, found once, serve every gather.
        index = kept.nonzero().squeeze(1)
        row_index = self.row_index.index_select(0, index)
        columns = self.columns.index_select(0, index)
        transpose = None
        if self.transpose is not None:
            rows, _, order = self.transpose
            kept_order = order.index_select(0, kept[order].nonzero().squeeze(1))
            # Entry k of this batch is entry position[k] of the kept one.
            position = torch.cumsum(kept, 0) - 1
            transpose = (
                self.row_index.index_select(0, kept_order),
                _starts(torch.bincount(columns, minlength=n_columns)),
                position.index_select(0, kept_order),
            )
        return SparseRows(
            values=self.values.index_select(0, index),
            columns=columns,
            offsets=_starts(torch.bincount(row_index, minlength=n_rows)),
            row_index=row_index,
            shape=self.shape,
            transpose=transpose,
        )

    def to_dense(self) -> torch.Tensor:
        dense = self.values.new_zeros(self.shape)
        dense[self.row_index, self.columns] = self.values
        return dense


Rows = torch.Tensor | SparseRows


def _starts(counts: torch.Tensor) -> torch.Tensor:
    """Where each group starts, given the group sizes (CSR's indptr[:-1])."""
    return torch.cumsum(counts, 0) - counts


def stored_values(x: Rows) -> torch.Tensor:
    """The stored entries of x (all entries of a dense batch)."""
    return x.values if isinstance(x, SparseRows) else x


def gather(x: Rows, dense: torch.Tensor) -> torch.Tensor:
    """The entries of ``dense`` (same shape as x) at x's stored entries."""
    if isinstance(x, SparseRows):
        return dense[x.row_index, x.columns]
    return dense


def add_at_stored(dense: torch.Tensor, x: Rows, row_weights: torch.Tensor):
    """``dense + x * row_weights[:, None]``, in place, touching x's stored entries."""
    if isinstance(x, SparseRows):
        values = x.values * row_weights[x.row_index]
        return dense.index_put_((x.row_index, x.columns), values, accumulate=True)
    return dense.add_(x * row_weights[:, None])


def row_sum(x: Rows, per_entry: torch.Tensor) -> torch.Tensor:
    """Sum per row of a value per stored entry of x."""
    if isinstance(x, SparseRows):
        total = per_entry.new_zeros(x.shape[0])
        return total.index_add_(0, x.row_index, per_entry)
    return per_entry.sum(dim=1)


def row_logsumexp(x: SparseRows, per_entry: torch.Tensor) -> torch.Tensor:
    """log(sum(exp(.))) per row of a value per stored entry (-inf: no entry)."""
    n_rows = x.shape[0]
    largest = per_entry.new_full((n_rows,), -torch.inf)
    largest = largest.scatter_reduce(0, x.row_index, per_entry, "amax")
    shift = torch.where(torch.isfinite(largest), largest, torch.zeros_like(largest))
    total = per_entry.new_zeros(n_rows).index_add_(
        0, x.row_index, torch.exp(per_entry - shift[x.row_index])
    )
    return torch.log(total) + shift


def stored_in(x: SparseRows, columns: torch.Tensor) -> torch.Tensor:
    """Boolean (n_rows, len(columns)): whether row i stores column ``columns[k]``.

    ``columns`` may repeat; the cost is x's stored entries plus the features.
    """
    distinct, position = torch.unique(columns, return_inverse=True)
    # Each feature's place among the distinct columns, -1 where absent: one
    # lookup per stored entry, cheaper than two binary searches.
    place = torch.full((x.shape[1],), -1, dtype=torch.long, device=columns.device)
    place[distinct] = torch.arange(len(distinct), device=columns.device)
    hit = place[x.columns]
    found = hit >= 0
    mask = torch.zeros(x.shape[0], len(distinct), dtype=torch.bool, device=hit.device)
    mask[x.row_index[found], hit[found]] = True
    return mask[:, position]


def map_stored(x: Rows, function) -> Rows:
    """x with ``function`` (which must map 0 to 0) applied to every entry."""
    if isinstance(x, SparseRows):
        return x.with_values(function(x.values))
    return function(x)


def scale_columns(x: Rows, factors: torch.Tensor) -> Rows:
    """x with column j multiplied by ``factors[j]``."""
    if isinstance(x, SparseRows):
        return x.with_values(x.values * factors[x.columns])
    return x * factors


class _SparseMatmul(torch.autograd.Function):
    """x @ weight for sparse x; the gradient flows to ``weight`` only."""

    @staticmethod
    def forward(ctx, weight, x, sparse_grad):
        ctx.x, ctx.sparse_grad = x, sparse_grad
        return _sum_of_rows(weight, x.columns, x.offsets, x.values)

    @staticmethod
    def backward(ctx, grad_output):
        x = ctx.x
        # weight's gradient x.T @ grad_output is the same product on the
        # transpose (autograd's own backward of embedding_bag is far slower).
        rows, column_starts, order = _transpose_of(x)
        values = x.values[order]
        # The features the batch stores are the transpose's non-empty columns.
        stored = _nonempty(column_starts, len(rows)) if ctx.sparse_grad else None
        if stored is None or not _lazy(len(stored), x.shape[1]):
            return _sum_of_rows(grad_output, rows, column_starts, values), None, None
        # Only the stored features' rows: a column's bag ends where the next
        # stored column's begins, so the empty ones can be left out.
        grad_rows = _sum_of_rows(grad_output, rows, column_starts[stored], values)
        shape = (x.shape[1], grad_output.shape[1])
        return _row_sparse(stored, grad_rows, shape), None, None


class _StoredProducts(torch.autograd.Function):
    """``(a @ b.T)[i, j]`` at the stored entries (i, j) of a sparse x.

    The forward pass is torch's sampled matrix product (SDDMM) on x's
    pattern; the backward pass sums rows of the other factor per row of x
    and, on the transpose layout, per column.  Autograd's version (a gather
    of both factors' rows per stored entry, their product, and two
    scatter-adds back) took a quarter of a sampled training step at 21k
    terms.
    """

    @staticmethod
    def forward(ctx, a, b, x):
        ctx.save_for_backward(a, b)
        ctx.x = x
        row_ends = x.offsets.new_tensor([len(x.columns)])
        with warnings.catch_warnings():
            # torch calls its CSR layout beta the first time one is built.
            warnings.filterwarnings("ignore", "Sparse CSR tensor support")
            pattern = torch.sparse_csr_tensor(
                torch.cat([x.offsets, row_ends]),
                x.columns,
                a.new_zeros(len(x.columns)),
                size=x.shape,
                check_invariants=False,
            )
        return torch.sparse.sampled_addmm(pattern, a, b.T, beta=0.0).values()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        x = ctx.x
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = _sum_of_rows(b, x.columns, x.offsets, grad_output)
        if ctx.needs_input_grad[1]:
            rows, column_starts, order = _transpose_of(x)
            grad_b = _sum_of_rows(a, rows, column_starts, grad_output[order])
        return grad_a, grad_b, None


def _transpose_of(x: SparseRows):
    """x's transpose layout, which a backward pass over x needs."""
    if x.transpose is None:
        raise RuntimeError(
            "A sparse batch needs its transpose layout for a backward pass: "
            "build training batches with rows_to_tensor(..., with_transpose=True)."
        )
    return x.transpose


def stored_products(a: torch.Tensor, b: torch.Tensor, x: SparseRows) -> torch.Tensor:
    """``(a @ b.T)`` at x's stored entries, in x's order (one value each).

    ``a`` has a row per row of x and ``b`` a row per column; the cost is
    the stored entries times the width, not rows x columns.
    """
    return _StoredProducts.apply(a, b, x)


def _sum_of_rows(table, indices, offsets, weights):
    """Row k of the result is sum(weights[i] * table[indices[i]]) over bag k."""
    return torch.nn.functional.embedding_bag(
        indices, table, offsets, mode="sum", per_sample_weights=weights
    )


# Largest share of a weight's rows that a row-sparse gradient holds.  A lazy
# Adam row costs several dense ones (its gathers, catch-up and write-backs),
# so a lazy update pays only when a batch touches a small share of the rows
# (docs/notes/2026-12-06-model-variants.md, "Lazy Adam").
_LAZY_SHARE = 0.15


def matmul(x: Rows, weight: torch.Tensor, *, sparse_grad: bool = False) -> torch.Tensor:
    """x @ weight, with weight of shape (n_features, width).

    With ``sparse_grad``, weight's gradient is a sparse tensor holding only
    the rows of the features x stores (its non-zero columns, if x is dense;
    the others are zero), unless x stores more than ``_LAZY_SHARE`` of them
    (then a dense one, as without ``sparse_grad``): an optimizer that reads
    it (:class:`skvae._kernels.LazyAdam`) then updates only those rows, and
    dense and sparse batches of the same rows train alike.
    """
    if isinstance(x, SparseRows):
        return _SparseMatmul.apply(weight, x, sparse_grad)
    if sparse_grad and weight.requires_grad:
        return _DenseMatmul.apply(weight, x)
    return x @ weight


def _nonempty(starts: torch.Tensor, total: int) -> torch.Tensor:
    """The indices of the non-empty bags that begin at ``starts``."""
    ends = torch.cat([starts[1:], starts.new_tensor([total])])
    return torch.nonzero(ends > starts).squeeze(1)


def _lazy(n_rows: int, n_features: int) -> bool:
    """Whether a gradient in ``n_rows`` of ``n_features`` rows is kept sparse:
    above ``_LAZY_SHARE`` the optimizer's row gathers cost more than a dense
    update."""
    return n_rows <= _LAZY_SHARE * n_features and n_rows < n_features


def _row_sparse(rows: torch.Tensor, values: torch.Tensor, shape) -> torch.Tensor:
    """The (n_features, width) gradient holding ``values`` at ``rows`` (sorted,
    unique)."""
    return torch.sparse_coo_tensor(
        rows[None], values, shape, is_coalesced=True, check_invariants=False
    )


class _DenseMatmul(torch.autograd.Function):
    """x @ weight for dense x, with a row-sparse gradient for ``weight``."""

    @staticmethod
    def forward(ctx, weight, x):
        ctx.save_for_backward(x)
        return x @ weight

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        stored = torch.nonzero(x.ne(0).any(dim=0)).squeeze(1)
        if not _lazy(len(stored), x.shape[1]):
            return x.T @ grad_output, None
        grad_rows = x[:, stored].T @ grad_output
        return _row_sparse(stored, grad_rows, (x.shape[1], grad_output.shape[1])), None


def rows_to_tensor(
    X,
    rows,
    *,
    dtype: torch.dtype,
    device: torch.device | str,
    with_transpose: bool = False,
) -> Rows:
    """Rows ``rows`` (a slice or index array) of X as a torch batch (a copy).

    Sparse X gives :class:`SparseRows`, unless those rows hold NaN; training
    batches need ``with_transpose=True`` (see :class:`SparseRows`).
    """
    batch = X[rows]
    if sp.issparse(batch):
        if not np.isnan(batch.data).any():
            return SparseRows.from_csr(
                batch.tocsr(), dtype=dtype, device=device, with_transpose=with_transpose
            )
        batch = batch.toarray()
    # C order: torch rejects negative strides (X[::-1]), and other layouts
    # (Fortran order, column slices) would change the rounding of products.
    return torch.tensor(np.ascontiguousarray(batch), dtype=dtype, device=device)
