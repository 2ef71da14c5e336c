"""Properties of inference on random valid input, checked with hypothesis.

One small model is fitted for the module; hypothesis varies the input.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

import skvae._model.batching
from skvae import VAEEmbedder

N_FEATURES = 6
PROPERTIES = settings(max_examples=25, deadline=None)

count_matrices = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 40), st.just(N_FEATURES)),
    elements=st.integers(0, 50),
)
# Dense or CSR, as VAEEmbedder accepts both.
inputs = st.tuples(count_matrices, st.booleans()).map(
    lambda pair: sp.csr_matrix(pair[0]) if pair[1] else pair[0]
)


@pytest.fixture(scope="module", autouse=True)
def _small_inference_batches():
    """16-row inference batches, so that inputs span several of them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            skvae._model.batching, "_INFERENCE_BATCH_ELEMENTS", 16 * N_FEATURES
        )
        yield


@pytest.fixture(scope="module")
def vae():
    X = np.random.RandomState(0).poisson(2.0, size=(40, N_FEATURES))
    model = VAEEmbedder(
        n_components=3, hidden_layer_sizes=(16,), max_iter=5, random_state=0
    )
    with pytest.warns(Warning):  # ConvergenceWarning: stopped early on purpose
        return model.fit(X)


@PROPERTIES
@given(X=inputs)
def test_transform_is_finite_and_deterministic(vae, X):
    Z = vae.transform(X)
    assert Z.shape == (X.shape[0], 3)
    assert np.all(np.isfinite(Z))
    assert_array_equal(vae.transform(X), Z)
    assert np.all(np.isfinite(vae.score_samples(X)))


@PROPERTIES
@given(X=inputs, data=st.data())
def test_transform_does_not_depend_on_the_batch(vae, X, data):
    size = data.draw(st.integers(1, X.shape[0]), label="rows per call")
    starts = range(0, X.shape[0], size)
    Z_parts = np.concatenate([vae.transform(X[i : i + size]) for i in starts])
    assert_allclose(Z_parts, vae.transform(X), rtol=1e-10, atol=1e-14)
    scores = np.concatenate([vae.score_samples(X[i : i + size]) for i in starts])
    assert_allclose(scores, vae.score_samples(X), rtol=1e-10)


@PROPERTIES
@given(X=inputs, data=st.data())
def test_transform_is_row_order_equivariant(vae, X, data):
    order = np.array(data.draw(st.permutations(range(X.shape[0])), label="order"))
    assert_allclose(vae.transform(X[order]), vae.transform(X)[order], rtol=1e-10)


@PROPERTIES
@given(X=count_matrices)
def test_sparse_and_dense_input_embed_alike(vae, X):
    assert_allclose(
        vae.transform(sp.csr_matrix(X)), vae.transform(X), rtol=1e-9, atol=1e-12
    )
