"""The CUDA path, run for real on a GPU; skipped without one.

``pytest -m cuda`` runs these (and ``benchmarks/bench_gpu.py`` does, on a
machine with CUDA).  Where no GPU is at hand, the device handling that a CPU
can check (a model that names ``device="cuda"`` served on the CPU) is tested in
``test_embedder.py`` and ``test_persistence.py``.
"""

from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import small_vae
from numpy.testing import assert_allclose, assert_array_equal

from skvae._embedder import fitted_state
from skvae._kernels import SparseRows, matmul, multinomial_log_likelihood
from skvae._kernels.sparse import stored_products

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

small = partial(small_vae, device="cuda")

# Inference runs in float64 on either device; the products' summation order
# differs between CPU and GPU kernels, nothing else.
DEVICE_ATOL = 1e-10


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_fit_on_cuda(counts, latent):
    vae = small(latent=latent).fit(counts)
    assert np.isfinite(vae.loss_curve_).all()
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
    Z = vae.transform(counts)
    assert Z.shape == (counts.shape[0], 2)
    assert np.isfinite(Z).all()
    # The fitted state is host memory only.
    weights = fitted_state(vae).weights.values()
    assert all(isinstance(array, np.ndarray) for array in weights)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_cuda_keeps_the_input_dtype(counts, dtype, latent):
    X = counts.astype(dtype)
    vae = small(latent=latent).fit(X)
    Z = vae.transform(X)
    assert Z.dtype == dtype
    assert vae.components_.dtype == dtype
    assert vae.inverse_transform(Z).dtype == dtype


def test_sparse_first_layer_on_cuda_matches_dense():
    rng = np.random.RandomState(0)
    X = (rng.poisson(0.3, size=(16, 40)) * rng.randint(1, 4, size=(16, 40))).astype(
        np.float64
    )
    x = SparseRows.from_csr(
        sp.csr_matrix(X), dtype=torch.float64, device="cuda", with_transpose=True
    )
    dense = torch.tensor(X, device="cuda")
    weight = torch.randn(40, 5, dtype=torch.float64, device="cuda", requires_grad=True)
    torch.testing.assert_close(matmul(x, weight), dense @ weight)
    assert torch.autograd.gradcheck(lambda w: matmul(x, w), (weight,))

    eta = torch.randn(16, 40, dtype=torch.float64, device="cuda", requires_grad=True)
    expected = (dense * torch.log_softmax(eta, dim=1)).sum(dim=1)
    torch.testing.assert_close(multinomial_log_likelihood(eta * 1.0, x), expected)


def test_sampled_softmax_on_cuda(counts):
    # The stored entries' logits (torch's sampled matrix product on CUDA)
    # against the dense product, then a fit that samples the normaliser.
    X = sp.csr_matrix(counts, dtype=np.float64)
    X.sum_duplicates()  # sorted columns: X.nonzero() lists the batch's order
    x = SparseRows.from_csr(X, dtype=torch.float64, device="cuda", with_transpose=True)
    a = torch.randn(X.shape[0], 3, dtype=torch.float64, device="cuda")
    b = torch.randn(X.shape[1], 3, dtype=torch.float64, device="cuda")
    rows, columns = (torch.as_tensor(i, device="cuda") for i in X.nonzero())
    torch.testing.assert_close(stored_products(a, b, x), (a @ b.T)[rows, columns])
    assert torch.autograd.gradcheck(
        lambda a, b: stored_products(a, b, x),
        (a.requires_grad_(), b.requires_grad_()),
    )
    vae = small(softmax_samples=20).fit(counts)
    assert np.isfinite(vae.loss_curve_).all()
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]


def test_sparse_input_on_cuda(counts):
    vae = small().fit(counts)
    # The sparse inference path (embedding_bag) against the dense one.
    assert_allclose(
        vae.transform(counts), vae.transform(counts.toarray()), rtol=0, atol=1e-10
    )


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_random_state_on_cuda(counts, latent):
    # Some CUDA kernels (index_add_'s atomic adds) sum in a varying order, so
    # two fits may differ by float32 rounding, which training can amplify;
    # benchmarks/bench_gpu.py reports the difference on 20 Newsgroups.
    first = small(latent=latent).fit(counts).transform(counts)
    second = small(latent=latent).fit(counts).transform(counts)
    assert_allclose(first, second, rtol=0, atol=1e-4)


def test_moving_a_model_between_devices(counts):
    vae = small_vae(device="cpu").fit(counts)
    Z_cpu = vae.transform(counts)
    vae.set_params(device="cuda")
    assert_allclose(vae.transform(counts), Z_cpu, rtol=0, atol=DEVICE_ATOL)
    vae.set_params(device="cpu")
    assert_array_equal(vae.transform(counts), Z_cpu)

    vae = small().fit(counts)
    Z_gpu = vae.transform(counts)
    vae.set_params(device="cpu")
    assert_allclose(vae.transform(counts), Z_gpu, rtol=0, atol=DEVICE_ATOL)
    # Training goes on where the model now is.
    vae.partial_fit(counts)
    assert np.isfinite(vae.transform(counts)).all()
