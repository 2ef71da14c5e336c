"""The sampled training objective of the multinomial against its definition."""

import numpy as np
import scipy.sparse as sp
import torch
from conftest import record_calls

from skvae._kernels import SparseRows
from skvae._kernels.sparse import stored_in
from skvae._model.likelihoods import Multinomial, input_statistics


def setup(seed=0, n_rows=6, n_features=40, width=3):
    rng = np.random.RandomState(seed)
    X = sp.random(n_rows, n_features, density=0.2, format="csr", random_state=rng)
    X.data = rng.randint(1, 4, size=X.nnz).astype(np.float64)
    likelihood = Multinomial(input_statistics(X, "multinomial")).double()
    x = SparseRows.from_csr(X, dtype=torch.float64, device="cpu", with_transpose=True)
    r = torch.randn(n_rows, width, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(n_features, width, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(n_features, dtype=torch.float64, requires_grad=True)
    return X, likelihood, x, r, weight, bias


def by_definition(X, likelihood, r, weight, bias, drawn):
    """log p(x) with Z_i = stored terms + (1/m) sum_k [s_k not in x_i] e^eta / q."""
    eta = r @ weight.T + bias
    dense = torch.tensor(X.toarray())
    stored = dense > 0
    q = likelihood.proposal()[drawn]
    outside = ~stored[:, drawn]
    sampled = (torch.exp(eta[:, drawn]) / q * outside).sum(dim=1) / len(drawn)
    log_z = torch.log((torch.exp(eta) * stored).sum(dim=1) + sampled)
    log_p = (dense * eta).sum(dim=1) - dense.sum(dim=1) * log_z
    return log_p + likelihood.sequence_correction(torch.tensor(X.toarray()))


def test_sampled_log_prob_and_its_gradient_match_the_definition():
    X, likelihood, x, r, weight, bias = setup()
    n_samples = 25
    torch.manual_seed(3)
    result = likelihood.sampled_log_prob(x, r, weight, bias, n_samples)
    torch.manual_seed(3)
    drawn = torch.multinomial(likelihood.proposal(), n_samples, replacement=True)
    expected = by_definition(X, likelihood, r, weight, bias, drawn)
    torch.testing.assert_close(result, expected)
    row_weights = torch.randn(X.shape[0], dtype=torch.float64)
    grads = torch.autograd.grad((result * row_weights).sum(), (r, weight, bias))
    expected_grads = torch.autograd.grad(
        (expected * row_weights).sum(), (r, weight, bias)
    )
    for grad, expected_grad in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(grad, expected_grad)


def test_the_sampled_normaliser_is_unbiased():
    # Averaged over many draws, the estimate of Z_i is the exact normaliser
    # (one estimate from 200,000 draws is that average).
    X, likelihood, x, r, weight, bias = setup(seed=1)
    with torch.no_grad():
        eta = r @ weight.T + bias
        exact = torch.exp(eta).sum(dim=1)
        stored = torch.tensor(X.toarray()) > 0
        torch.manual_seed(0)
        q = likelihood.proposal()
        drawn = torch.multinomial(q, 200_000, replacement=True)
        outside = ~stored[:, drawn]
        rest = (torch.exp(eta[:, drawn]) / q[drawn] * outside).mean(dim=1)
        estimate = (torch.exp(eta) * stored).sum(dim=1) + rest
    torch.testing.assert_close(estimate, exact, rtol=0.03, atol=0)


def test_stored_in_marks_the_rows_that_store_each_column():
    X = sp.csr_matrix(np.array([[1, 0, 2, 0], [0, 3, 0, 0], [4, 0, 0, 5]]))
    x = SparseRows.from_csr(X, dtype=torch.float64, device="cpu")
    columns = torch.tensor([2, 0, 2, 3, 1])
    expected = X.toarray()[:, columns.numpy()] != 0
    np.testing.assert_array_equal(stored_in(x, columns).numpy(), expected)


def sampled_calls(monkeypatch, X, **params):
    """How many training steps used the sampled objective in a 1-epoch fit."""
    from skvae import VAEEmbedder

    calls = record_calls(monkeypatch, Multinomial, "sampled_log_prob")
    params = {"n_components": 2, "max_iter": 1, "random_state": 0, **params}
    VAEEmbedder(likelihood="multinomial", device="cpu", **params).fit(X)
    return len(calls)


def counts(n_features, density, n_rows=64, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n_rows, n_features, density=density, format="csr", random_state=rng)
    X.data = rng.randint(1, 4, size=X.nnz).astype(np.float64)
    return X


def test_auto_samples_wide_vocabularies_of_short_rows(monkeypatch):
    # 12 of 12,000 terms a row: sampled; the same rows exact when asked.
    X = counts(12_000, 0.001)
    assert sampled_calls(monkeypatch, X) > 0
    assert sampled_calls(monkeypatch, X, softmax_samples=None) == 0


def test_auto_keeps_the_exact_softmax_for_small_or_dense_inputs(monkeypatch):
    assert sampled_calls(monkeypatch, counts(5_000, 0.002)) == 0
    # Rows storing 1% of the features (word contexts) train faster exact.
    assert sampled_calls(monkeypatch, counts(12_000, 0.01)) == 0


def test_an_explicit_sample_size_samples_any_vocabulary(monkeypatch):
    assert sampled_calls(monkeypatch, counts(50, 0.2), softmax_samples=20) > 0
