"""LazyAdam and the row-sparse gradients it reads, against plain torch."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import record_calls

import skvae._kernels.sparse
from skvae._kernels import LazyAdam, SparseRows, matmul


def sparse_rows(rows, values, shape):
    return torch.sparse_coo_tensor(
        torch.as_tensor(rows)[None], values, shape, check_invariants=True
    )


def test_with_every_row_it_is_adam():
    torch.manual_seed(0)
    start = torch.randn(6, 3, dtype=torch.float64)
    lazy = torch.nn.Parameter(start.clone())
    plain = torch.nn.Parameter(start.clone())
    lazy_opt = LazyAdam([lazy], lr=0.1, betas=(0.8, 0.9))
    plain_opt = torch.optim.Adam([plain], lr=0.1, betas=(0.8, 0.9))
    for _ in range(4):
        grad = torch.randn(6, 3, dtype=torch.float64)
        # Unordered and repeated rows: the optimizer sums them.
        rows = [5, 0, 1, 2, 3, 4, 0]
        values = torch.cat([grad[rows[:-1]], torch.zeros(1, 3, dtype=grad.dtype)])
        lazy.grad = sparse_rows(rows, values, (6, 3))
        plain.grad = grad
        lazy_opt.step()
        plain_opt.step()
    torch.testing.assert_close(lazy.detach(), plain.detach())
    for key in ("exp_avg", "exp_avg_sq", "step"):
        torch.testing.assert_close(
            lazy_opt.state[lazy][key], plain_opt.state[plain][key]
        )


def test_rows_without_gradient_keep_weights_and_moments():
    torch.manual_seed(1)
    weight = torch.nn.Parameter(torch.randn(5, 2))
    optimizer = LazyAdam([weight], lr=0.1)
    weight.grad = torch.randn(5, 2).to_sparse()
    optimizer.step()
    before = weight.detach().clone()
    moments = {k: v.clone() for k, v in optimizer.state[weight].items()}
    weight.grad = sparse_rows([1, 3], torch.randn(2, 2), (5, 2))
    optimizer.step()
    untouched = [0, 2, 4]
    assert torch.equal(weight.detach()[untouched], before[untouched])
    assert not torch.equal(weight.detach()[[1, 3]], before[[1, 3]])
    for key in ("exp_avg", "exp_avg_sq"):
        assert torch.equal(
            optimizer.state[weight][key][untouched], moments[key][untouched]
        )


def test_reused_row_buffers_carry_nothing_between_steps():
    # The rows of a step are gathered into buffers kept for the next step;
    # with more or fewer rows each step, the result must be that of fresh ones.
    torch.manual_seed(3)
    start = torch.randn(12, 4)
    reused, fresh = (torch.nn.Parameter(start.clone()) for _ in range(2))
    reused_opt, fresh_opt = LazyAdam([reused], lr=0.1), LazyAdam([fresh], lr=0.1)
    for rows in ([0, 5], [1, 2, 3, 7, 8, 10, 11], [4, 6, 9], list(range(12)), [2]):
        values = torch.randn(len(rows), 4)
        reused.grad = sparse_rows(rows, values, (12, 4))
        fresh.grad = sparse_rows(rows, values.clone(), (12, 4))
        fresh_opt.__dict__.pop("_row_buffers", None)
        reused_opt.step()
        fresh_opt.step()
    assert torch.equal(reused.detach(), fresh.detach())
    assert reused_opt.__dict__["_row_buffers"]


def test_dense_gradients_go_to_adam():
    torch.manual_seed(2)
    lazy, plain = (torch.nn.Parameter(torch.ones(4)) for _ in range(2))
    lazy_opt, plain_opt = LazyAdam([lazy], lr=0.5), torch.optim.Adam([plain], lr=0.5)
    grad = torch.randn(4)
    lazy.grad, plain.grad = grad.clone(), grad.clone()
    lazy_opt.step()
    plain_opt.step()
    assert torch.equal(lazy.detach(), plain.detach())


def test_sparse_gradients_refuse_options_they_do_not_support():
    weight = torch.nn.Parameter(torch.ones(3, 2))
    optimizer = LazyAdam([weight], lr=0.1, weight_decay=0.01)
    weight.grad = sparse_rows([0], torch.ones(1, 2), (3, 2))
    with pytest.raises(ValueError, match="weight_decay"):
        optimizer.step()


def first_layer_gradient(sparse, X, weight, upstream):
    x = (
        SparseRows.from_csr(X, dtype=torch.float64, device="cpu", with_transpose=True)
        if sparse
        else torch.tensor(X.toarray())
    )
    (grad,) = torch.autograd.grad(
        (matmul(x, weight, sparse_grad=True) * upstream).sum(), weight
    )
    (expected,) = torch.autograd.grad((matmul(x, weight) * upstream).sum(), weight)
    return grad, expected


@pytest.mark.parametrize("sparse", [True, False])
def test_a_gradient_of_many_rows_stays_dense(sparse):
    # 39 of 60 rows stored: more than _LAZY_SHARE, so Adam's dense update.
    rng = np.random.RandomState(3)
    X = sp.random(20, 60, density=0.05, format="csr", random_state=rng)
    weight = torch.randn(60, 4, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(20, 4, dtype=torch.float64)
    grad, expected = first_layer_gradient(sparse, X, weight, upstream)
    assert not grad.is_sparse
    torch.testing.assert_close(grad, expected)


@pytest.mark.parametrize("sparse", [True, False])
def test_row_sparse_first_layer_gradient_matches_the_dense_one(sparse, monkeypatch):
    monkeypatch.setattr(skvae._kernels.sparse, "_LAZY_SHARE", 1.0)
    rng = np.random.RandomState(3)
    X = sp.random(6, 9, density=0.25, format="csr", random_state=rng)
    X.data = rng.randint(1, 4, size=X.nnz).astype(np.float64)
    weight = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(6, 4, dtype=torch.float64)
    grad, expected = first_layer_gradient(sparse, X, weight, upstream)
    assert grad.is_sparse
    stored = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel())
    np.testing.assert_array_equal(grad.coalesce().indices()[0].numpy(), stored)
    torch.testing.assert_close(grad.to_dense(), expected)


@pytest.mark.parametrize("last_gradient", ["sparse", "dense"])
def test_skipped_rows_catch_up_with_adam(last_gradient):
    # Plain Adam with zero gradient for the rows a step does not touch, and
    # LazyAdam with only the touched rows, end at the same weights (after
    # enough steps for the bias corrections to change slowly).
    torch.manual_seed(4)
    start = torch.randn(8, 3, dtype=torch.float64)
    lazy = torch.nn.Parameter(start.clone())
    plain = torch.nn.Parameter(start.clone())
    lazy_opt = LazyAdam([lazy], lr=1e-3)
    plain_opt = torch.optim.Adam([plain], lr=1e-3)
    for step in range(1200):
        grad = torch.randn(8, 3, dtype=torch.float64)
        touched = (
            torch.arange(8) if step < 1000 else torch.nonzero(torch.rand(8) < 0.3)[:, 0]
        )
        if len(touched) == 0:
            continue
        dense = torch.zeros_like(grad)
        dense[touched] = grad[touched]
        plain.grad = dense
        lazy.grad = sparse_rows(touched, grad[touched], (8, 3))
        plain_opt.step()
        lazy_opt.step()
    # Bring every row up to date with one last step touching all of them: a
    # row-sparse gradient of every row, or a dense one (a batch that shows
    # the encoder most of the vocabulary).
    grad = torch.randn(8, 3, dtype=torch.float64)
    plain.grad = grad
    lazy.grad = (
        sparse_rows(torch.arange(8), grad, (8, 3))
        if last_gradient == "sparse"
        else grad.clone()
    )
    plain_opt.step()
    lazy_opt.step()
    moved = (plain.detach() - start).abs().mean()
    error = (lazy.detach() - plain.detach()).abs().max()
    assert error < 1e-3 * moved
    torch.testing.assert_close(
        lazy_opt.state[lazy]["exp_avg_sq"], plain_opt.state[plain]["exp_avg_sq"]
    )


def lazy_steps(monkeypatch, X):
    """How many optimizer steps of a 1-epoch fit took the row-wise update."""
    from skvae import VAEEmbedder

    calls = record_calls(monkeypatch, LazyAdam, "_sparse_step")
    VAEEmbedder(n_components=2, max_iter=1, random_state=0, device="cpu").fit(X)
    return [parameter.shape for parameter, _ in calls]


def test_fits_update_a_large_vocabulary_lazily(monkeypatch):
    rng = np.random.RandomState(0)
    X = sp.random(64, 12_000, density=0.001, format="csr", random_state=rng)
    X.data = rng.randint(1, 4, size=X.nnz).astype(np.float64)
    calls = lazy_steps(monkeypatch, X)
    # Only the encoder's first layer, (n_features, hidden width).
    assert calls and all(shape[0] == 12_000 for shape in calls)
    # A small vocabulary's batches show most rows: plain Adam.
    X_small = sp.random(64, 50, density=0.3, format="csr", random_state=rng)
    X_small.data = rng.randint(1, 4, size=X_small.nnz).astype(np.float64)
    assert lazy_steps(monkeypatch, X_small) == []
