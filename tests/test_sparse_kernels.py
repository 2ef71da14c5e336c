"""The hand-written autograd of the sparse training path against plain torch."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch.nn import functional as F

from skvae._kernels import SparseRows, matmul, multinomial_log_likelihood
from skvae._kernels.scratch import ScratchBuffers, ScratchLinear
from skvae._kernels.sparse import stored_products


def random_counts(n_rows=7, n_features=11, density=0.3, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n_rows, n_features, density=density, format="csr", random_state=rng)
    X.data = rng.randint(1, 5, size=X.nnz).astype(np.float64)
    return X


def as_rows(X, sparse):
    if sparse:
        return SparseRows.from_csr(
            X, dtype=torch.float64, device="cpu", with_transpose=True
        )
    return torch.tensor(X.toarray())


@pytest.mark.parametrize("sparse", [True, False])
def test_multinomial_log_likelihood_matches_log_softmax(sparse):
    X = random_counts()
    eta = torch.randn(*X.shape, dtype=torch.float64, requires_grad=True)
    expected = (torch.tensor(X.toarray()) * F.log_softmax(eta, dim=1)).sum(dim=1)
    logits = eta * 1.0  # a copy the function consumes
    before = logits.detach().clone()
    result = multinomial_log_likelihood(logits, as_rows(X, sparse))
    torch.testing.assert_close(result, expected)
    # The logits' memory now holds their softmax.
    torch.testing.assert_close(logits.detach(), F.softmax(before, dim=1))

    weights = torch.randn(X.shape[0], dtype=torch.float64)
    (grad,) = torch.autograd.grad((result * weights).sum(), eta)
    (expected_grad,) = torch.autograd.grad((expected * weights).sum(), eta)
    torch.testing.assert_close(grad, expected_grad)


@pytest.mark.parametrize("sparse", [True, False])
def test_multinomial_log_likelihood_gradcheck(sparse):
    X = random_counts(seed=1)
    x = as_rows(X, sparse)
    eta = torch.randn(*X.shape, dtype=torch.float64, requires_grad=True)
    # Finite differences along random directions, one graph per backward pass
    # (the kernel's backward reuses the softmax's memory, so gradcheck's
    # repeated passes over one graph do not apply).
    weights = torch.randn(X.shape[0], dtype=torch.float64)

    def loss(logits):
        return (multinomial_log_likelihood(logits * 1.0, x) * weights).sum()

    (grad,) = torch.autograd.grad(loss(eta), eta)
    rng = torch.Generator().manual_seed(0)
    for _ in range(5):
        direction = torch.randn(eta.shape, dtype=torch.float64, generator=rng)
        with torch.no_grad():
            step = 1e-6 * direction
            numerical = (loss(eta + step) - loss(eta - step)) / 2e-6
        torch.testing.assert_close(
            numerical, (grad * direction).sum(), rtol=1e-6, atol=1e-8
        )


def test_multinomial_log_likelihood_is_stable_for_extreme_logits():
    X = random_counts(seed=2)
    eta = torch.randn(*X.shape, dtype=torch.float32) * 1e4
    x = SparseRows.from_csr(X, dtype=torch.float32, device="cpu", with_transpose=True)
    expected = (torch.tensor(X.toarray()).float() * F.log_softmax(eta, dim=1)).sum(1)
    result = multinomial_log_likelihood(eta, x)
    assert torch.isfinite(result).all()
    torch.testing.assert_close(result, expected)


def test_transpose_layout_lists_the_entries_column_by_column():
    X = random_counts(n_rows=9, n_features=6, density=0.4, seed=3)
    X.data[::3] = 0.0  # explicitly stored zeros keep their place too
    x = SparseRows.from_csr(X, dtype=torch.float64, device="cpu", with_transpose=True)
    rows, column_starts, order = x.transpose
    X_csc = X.tocsc()
    np.testing.assert_array_equal(rows.numpy(), X_csc.indices)
    np.testing.assert_array_equal(column_starts.numpy(), X_csc.indptr[:-1])
    np.testing.assert_array_equal(x.values[order].numpy(), X_csc.data)
    np.testing.assert_array_equal(x.columns[order].numpy(), np.sort(X.indices))


def test_sparse_matmul_gradient_matches_dense():
    X = random_counts(n_rows=8, n_features=10, seed=4)
    weight = torch.randn(10, 3, dtype=torch.float64, requires_grad=True)
    x = as_rows(X, sparse=True)
    torch.testing.assert_close(matmul(x, weight), torch.tensor(X.toarray()) @ weight)
    assert torch.autograd.gradcheck(lambda w: matmul(x, w), (weight,))


def test_stored_products_match_the_dense_product_and_its_gradient():
    X = random_counts(n_rows=6, n_features=9, seed=4)
    x = as_rows(X, sparse=True)
    a = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    rows, columns = X.nonzero()  # row-major, the batch's order
    expected = (a @ b.T)[torch.as_tensor(rows), torch.as_tensor(columns)]
    result = stored_products(a, b, x)
    torch.testing.assert_close(result, expected)
    weights = torch.randn(X.nnz, dtype=torch.float64)
    grads = torch.autograd.grad((result * weights).sum(), (a, b))
    expected_grads = torch.autograd.grad((expected * weights).sum(), (a, b))
    for grad, expected_grad in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(grad, expected_grad)
    assert torch.autograd.gradcheck(lambda a, b: stored_products(a, b, x), (a, b))


def test_keep_entries_matches_the_smaller_matrix():
    X = random_counts(n_rows=9, n_features=8, density=0.5, seed=5)
    x = SparseRows.from_csr(X, dtype=torch.float64, device="cpu", with_transpose=True)
    kept = torch.tensor(np.random.RandomState(5).rand(X.nnz) >= 0.6)
    smaller = X.copy()
    smaller.data = smaller.data * kept.numpy()
    smaller.eliminate_zeros()
    expected = SparseRows.from_csr(
        smaller, dtype=torch.float64, device="cpu", with_transpose=True
    )
    result = x.keep_entries(kept)
    for name in ("values", "columns", "offsets", "row_index"):
        torch.testing.assert_close(getattr(result, name), getattr(expected, name))
    for part, expected_part in zip(result.transpose, expected.transpose, strict=True):
        torch.testing.assert_close(part, expected_part)


def test_dropped_entries_leave_the_first_layer_unchanged():
    # Dropping an entry from the batch and zeroing it give the same product
    # and the same gradient, bit for bit.
    from skvae._model.masking import drop_entries

    X = random_counts(n_rows=12, n_features=9, density=0.5, seed=6)
    x = as_rows(X, sparse=True)
    torch.manual_seed(0)
    dropped = drop_entries(x, 0.5)
    torch.manual_seed(0)
    kept = torch.rand(x.values.shape) >= 0.5
    zeroed = x.with_values(x.values * kept)
    assert len(dropped.values) == int(kept.sum()) < len(x.values)
    weight = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(12, 4, dtype=torch.float64)
    results = []
    for batch in (dropped, zeroed):
        out = matmul(batch, weight)
        (grad,) = torch.autograd.grad((out * upstream).sum(), weight)
        results.append((out, grad))
    assert torch.equal(results[0][0], results[1][0])
    assert torch.equal(results[0][1], results[1][1])


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
@pytest.mark.parametrize("with_bias", [True, False])
def test_scratch_linear_matches_autograd(with_bias, dtype):
    generator = torch.Generator().manual_seed(0)
    r = torch.randn(6, 4, generator=generator, requires_grad=True)
    weight = torch.randn(9, 4, generator=generator, requires_grad=True)
    bias = (torch.randn(9, generator=generator) - 10).requires_grad_(with_bias)
    bias = bias if with_bias else None
    scratch = ScratchBuffers()
    for _ in range(2):  # the second call reuses the first one's buffers
        if dtype == torch.float32:
            reference = F.linear(r, weight, bias)
        else:
            reference = F.linear(r.to(dtype), weight.to(dtype))
            reference = reference.float() if bias is None else bias + reference
        eta = ScratchLinear.apply(r, weight, bias, dtype, scratch)
        torch.testing.assert_close(eta, reference, rtol=0, atol=0)
        upstream = torch.randn(6, 9, generator=generator)
        inputs = (r, weight) + ((bias,) if with_bias else ())
        expected = torch.autograd.grad((reference * upstream).sum(), inputs)
        got = torch.autograd.grad((eta * upstream).sum(), inputs)
        for g, e in zip(got, expected, strict=True):
            torch.testing.assert_close(g, e)


def test_scratch_buffers_are_reused_and_never_copied():
    import copy
    import pickle

    scratch = ScratchBuffers()
    first = scratch.get("eta", (3, 5), torch.float32, "cpu")
    assert scratch.get("eta", (3, 5), torch.float32, "cpu") is first
    second = scratch.get("eta", (4, 5), torch.float32, "cpu")
    assert second is not first
    assert len(pickle.dumps(scratch)) < 1000  # no tensor data in the pickle
    for copied in (copy.deepcopy(scratch), pickle.loads(pickle.dumps(scratch))):
        assert copied.get("eta", (4, 5), torch.float32, "cpu") is not second
