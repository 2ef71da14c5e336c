"""Serving through ONNX: onnxruntime's output against ``transform``.

The exported graph is torch's trace of the fitted network, so these tests are
what catches a change in the network that the export does not carry over.
"""

import sys
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small_vae
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae._embedder import fitted_state
from skvae.onnx import INPUT_NAME, OUTPUT_NAME, register_converter, to_onnx

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# float32 graph against float64 transform.
ATOL = 1e-5

small = partial(small_vae, n_components=3, max_iter=3)


def session(model):
    return onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def run(model, X):
    """The ONNX model's output for X, densified to float32 as a caller would."""
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    return session(model).run([OUTPUT_NAME], {INPUT_NAME: dense.astype(np.float32)})[0]


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_output_equals_transform(counts, latent, dtype):
    X = counts.astype(dtype)
    vae = small(latent=latent).fit(X)
    model = to_onnx(vae)
    onnx.checker.check_model(model)
    Z = run(model, X)
    assert Z.dtype == np.float32
    assert Z.shape == (X.shape[0], 3)
    # Sparse input, densified for onnxruntime, against transform's sparse path.
    assert_allclose(Z, vae.transform(X), rtol=0, atol=ATOL)
    if latent == "topic":
        assert_allclose(Z.sum(axis=1), 1.0, atol=ATOL)


@pytest.mark.parametrize(
    "params",
    [
        {"likelihood": "poisson"},
        {"likelihood": "bernoulli"},
        {"tied_weights": True},
        {"hidden_layer_sizes": ()},
        {"hidden_layer_sizes": (16, 8), "activation": "relu"},
        {"decoder_hidden_layer_sizes": (8,)},
        {"latent": "topic", "hidden_layer_sizes": (16, 8), "tied_weights": True},
    ],
    ids=str,
)
def test_onnx_follows_each_architecture(counts, params):
    X = counts.toarray()
    if params.get("likelihood") == "bernoulli":
        X = (X > 0).astype(np.float64)
    vae = small(**params).fit(X)
    assert_allclose(run(to_onnx(vae), X), vae.transform(X), rtol=0, atol=ATOL)


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_onnx_soft_counts(corpus, latent):
    # TF-IDF read as soft counts: the encoder divides by the count scale.
    X = TfidfVectorizer().fit_transform(corpus[0])
    vae = small(latent=latent, likelihood="multinomial").fit(X)
    weights = fitted_state(vae).weights
    assert weights["likelihood.count_scale"][0] != 1
    assert_allclose(run(to_onnx(vae), X), vae.transform(X), rtol=0, atol=ATOL)


def test_onnx_gaussian_likelihood_on_real_values():
    X = np.random.RandomState(0).normal(3.0, 2.0, size=(60, 7))
    vae = small(likelihood="gaussian").fit(X)
    assert_allclose(run(to_onnx(vae), X), vae.transform(X), rtol=0, atol=ATOL)


@pytest.mark.parametrize("fitted_with_nan", [True, False])
@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_onnx_fills_missing_values_as_transform_does(counts, latent, fitted_with_nan):
    # With NaN in training the encoder has missing-value indicators; without,
    # transform still fills NaN with the training mean.  The graph does both.
    X = counts.toarray().astype(np.float64)
    X_missing = X.copy()
    X_missing[np.random.RandomState(0).uniform(size=X.shape) < 0.2] = np.nan
    vae = small(latent=latent).fit(X_missing if fitted_with_nan else X)
    model = to_onnx(vae)
    for data in (X_missing, X):
        assert_allclose(run(model, data), vae.transform(data), rtol=0, atol=ATOL)


def test_onnx_batch_dimension_is_dynamic(counts):
    vae = small().fit(counts)
    model = to_onnx(vae)
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    for rows in (slice(0, 1), slice(0, 2), slice(None)):
        assert_allclose(
            run(model, counts[rows]), vae.transform(counts[rows]), rtol=0, atol=ATOL
        )


@pytest.mark.parametrize("target_opset", [17, 20, 22])
def test_onnx_target_opset(counts, target_opset):
    vae = small().fit(counts)
    model = to_onnx(vae, target_opset=target_opset)
    assert {o.domain: o.version for o in model.opset_import}[""] == target_opset
    assert_allclose(run(model, counts), vae.transform(counts), rtol=0, atol=ATOL)


def test_onnx_export_refuses_what_it_cannot_export(corpus):
    with pytest.raises(NotFittedError):
        to_onnx(VAEEmbedder())
    pipe = make_pipeline(CountVectorizer(), small()).fit(corpus[0])
    with pytest.raises(ValueError, match="register_converter"):
        to_onnx(pipe)


def test_onnx_export_leaves_the_estimator_unchanged(counts):
    vae = small().fit(counts)
    Z = vae.transform(counts)
    to_onnx(vae)
    np.testing.assert_array_equal(vae.transform(counts), Z)


def test_missing_onnx_gives_an_install_hint(counts, monkeypatch):
    vae = small().fit(counts)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'skvae\[onnx\]'"):
        to_onnx(vae)


# ----------------------------------------------------------------- skl2onnx


@pytest.fixture
def skl2onnx():
    module = pytest.importorskip("skl2onnx")
    register_converter()
    return module


def strings(docs):
    return np.array(docs, dtype=object).reshape(-1, 1)


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
@pytest.mark.parametrize("vectorizer", [CountVectorizer, TfidfVectorizer])
def test_skl2onnx_converts_a_text_pipeline(corpus, skl2onnx, vectorizer, latent):
    from skl2onnx.common.data_types import StringTensorType

    docs, labels = corpus
    # lowercase=False: onnxruntime's lower-casing needs a locale installed
    # (en_US.UTF-8 unless the converter's "locale" option names another).
    pipe = make_pipeline(
        vectorizer(lowercase=False), small(latent=latent), LogisticRegression()
    ).fit(docs, labels)
    model = skl2onnx.to_onnx(
        pipe,
        initial_types=[("text", StringTensorType([None, 1]))],
        options={LogisticRegression: {"zipmap": False}},
    )
    labels_onnx, probabilities = session(model).run(None, {"text": strings(docs)})
    np.testing.assert_array_equal(labels_onnx, pipe.predict(docs))
    assert_allclose(probabilities, pipe.predict_proba(docs), rtol=0, atol=ATOL)

    embedder = make_pipeline(*pipe[:2])
    model = skl2onnx.to_onnx(
        embedder, initial_types=[("text", StringTensorType([None, 1]))]
    )
    Z = session(model).run(None, {"text": strings(docs)})[0]
    assert_allclose(Z, embedder.transform(docs), rtol=0, atol=ATOL)


def test_skl2onnx_converts_a_bare_embedder(counts, skl2onnx):
    from skl2onnx.common.data_types import FloatTensorType

    vae = small().fit(counts)
    model = skl2onnx.to_onnx(
        vae, initial_types=[("X", FloatTensorType([None, counts.shape[1]]))]
    )
    X = counts.toarray().astype(np.float32)
    Z = session(model).run(None, {"X": X})[0]
    assert_allclose(Z, vae.transform(counts), rtol=0, atol=ATOL)


def test_skl2onnx_refuses_double_input(counts, skl2onnx):
    from skl2onnx.common.data_types import DoubleTensorType

    vae = small().fit(counts)
    with pytest.raises(RuntimeError, match="FloatTensorType|float"):
        skl2onnx.to_onnx(
            vae, initial_types=[("X", DoubleTensorType([None, counts.shape[1]]))]
        )


def test_skl2onnx_checks_the_number_of_features(counts, skl2onnx):
    from skl2onnx.common.data_types import FloatTensorType

    vae = small().fit(counts)
    with pytest.raises(ValueError, match=f"fitted on {counts.shape[1]} features"):
        skl2onnx.to_onnx(vae, initial_types=[("X", FloatTensorType([None, 3]))])
