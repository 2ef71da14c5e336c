"""Bad input gets a clear, early error naming the problem; odd but valid input
gets a documented, finite result."""

from functools import partial

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small_vae
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError

import skvae._model.training
from skvae import VAEEmbedder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


fast = partial(small_vae, hidden_layer_sizes=(8,), max_iter=2)


def make_X():
    return np.random.RandomState(0).poisson(2.0, size=(20, 5)).astype(float)


@pytest.fixture
def X():
    return make_X()


@pytest.fixture(scope="module")
def fitted():
    """One model, fitted before the no-training guard, for inference checks."""
    return fast().fit(make_X())


@pytest.fixture(autouse=True)
def _no_training_on_bad_input(request, monkeypatch):
    """Errors must come before any network is built."""
    if "trains" in request.keywords:
        return

    def refuse(*args, **kwargs):
        raise AssertionError("a network was built for bad input")

    monkeypatch.setattr(skvae._model.training, "create_network", refuse)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_input_is_rejected(X, value):
    # NaN means "missing" and is accepted; infinity is an error.
    X[3, 2] = value
    with pytest.raises(ValueError, match="contains infinity"):
        fast().fit(X)


@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "bernoulli"])
def test_count_likelihoods_reject_negative_values(X, likelihood):
    X[0, 0] = -1
    with pytest.raises(ValueError, match=f"Negative values .*{likelihood}"):
        fast(likelihood=likelihood).fit(X)


def test_bernoulli_rejects_values_above_one(X):
    with pytest.raises(ValueError, match=r"bernoulli.*\[0, 1\]"):
        fast(likelihood="bernoulli").fit(X)


@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.empty((0, 5)), "0 sample"),
        (np.empty((5, 0)), "0 feature"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert"),
        (np.ones((2, 2, 2)), "Found array with dim 3"),
    ],
)
def test_malformed_input_is_rejected(X_bad, message):
    with pytest.raises(ValueError, match=message):
        fast().fit(X_bad)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"beta": -1.0}, "beta"),
        ({"n_components": 0}, "n_components"),
        ({"likelihood": "student"}, "likelihood"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
        ({"device": "quantum"}, "device"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
    ],
)
def test_bad_parameters_are_rejected(X, params, message):
    with pytest.raises(ValueError, match=message):
        VAEEmbedder(**params).fit(X)


def test_early_stopping_needs_two_samples(X):
    with pytest.raises(ValueError, match="at least 2 samples"):
        fast(early_stopping=True).fit(X[:1])


@pytest.mark.trains
def test_errors_after_fit(X):
    vae = fast().fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but VAEEmbedder"):
        vae.transform(X[:, :4])
    with pytest.raises(ValueError, match="Negative values"):
        vae.transform(-X)
    with pytest.raises(ValueError, match="contains infinity"):
        vae.score(np.full_like(X, np.inf))
    with pytest.raises(ValueError, match="n_components=2"):
        vae.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)


@pytest.mark.parametrize(
    "method, args",
    [
        ("transform", ("X",)),
        ("score", ("X",)),
        ("score_samples", ("X",)),
        ("inverse_transform", (np.zeros((1, 2)),)),
        ("sample", (3,)),
        ("get_feature_names_out", ()),
    ],
)
def test_unfitted_use_raises_not_fitted(X, method, args):
    args = tuple(X if isinstance(a, str) else a for a in args)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(VAEEmbedder(), method)(*args)


@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.empty((0, 5)), "0 sample"),
        (np.array([["a"] * 5], dtype=object), "could not convert"),
        (np.array([["1", "2", "3", "4", "x"]]), "could not convert"),
        (np.ones((2, 5, 1)), "Found array with dim 3"),
        (np.ones(5), "Expected 2D array"),
    ],
)
@pytest.mark.parametrize("method", ["transform", "score_samples"])
def test_malformed_input_is_rejected_after_fit(fitted, X_bad, message, method):
    with pytest.raises(ValueError, match=message):
        getattr(fitted, method)(X_bad)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_inverse_transform_rejects_nan_and_infinity(fitted, value):
    # NaN means "missing" in X, but a latent row has no missing entries.
    with pytest.raises(ValueError, match="Input contains (NaN|infinity)"):
        fitted.inverse_transform(np.array([[0.0, value]]))


def test_negative_sparse_values_are_rejected_at_transform(fitted, X):
    with pytest.raises(ValueError, match="Negative values .*multinomial"):
        fitted.transform(sp.csr_matrix(-X))


@pytest.mark.trains
@pytest.mark.parametrize("likelihood", ["multinomial", "poisson"])
def test_soft_counts_such_as_tfidf_are_accepted(corpus, likelihood):
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer().fit_transform(corpus[0])
    assert np.any(X.data != np.round(X.data))  # really not integers
    vae = fast(likelihood=likelihood, max_iter=10, learning_rate_init=1e-2).fit(X)
    assert vae.likelihood_ == likelihood
    assert np.all(np.isfinite(vae.transform(X)))
    assert np.all(np.isfinite(vae.score_samples(X)))
    assert np.isfinite(vae.perplexity(X))
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]


@pytest.mark.trains
@pytest.mark.parametrize("to_input", [np.asarray, sp.csr_matrix], ids=["dense", "csr"])
def test_all_zero_rows_get_finite_embeddings(X, to_input):
    X[[2, 7]] = 0
    vae = fast().fit(to_input(X))
    Z = vae.transform(to_input(X))
    assert np.all(np.isfinite(Z)) and np.all(np.isfinite(vae.score_samples(X)))
    # An empty document is embedded like any other empty document.
    assert_array_equal(Z[2], Z[7])


@pytest.mark.trains
@pytest.mark.parametrize("to_input", [np.asarray, sp.csr_matrix], ids=["dense", "csr"])
@pytest.mark.parametrize("likelihood", ["auto", "multinomial", "gaussian"])
def test_an_all_zero_matrix_gives_one_finite_embedding(to_input, likelihood):
    X = to_input(np.zeros((10, 4)))
    vae = fast(likelihood=likelihood).fit(X)
    Z = vae.transform(X)
    assert np.all(np.isfinite(Z)) and np.all(np.isfinite(vae.score_samples(X)))
    assert_array_equal(Z, np.repeat(Z[:1], 10, axis=0))
    if vae.likelihood_ == "multinomial":
        with pytest.raises(ValueError, match="at least one word"):
            vae.perplexity(X)


@pytest.mark.trains
def test_a_single_sample_can_be_fitted(X):
    vae = fast().fit(X[:1])
    assert vae.transform(X).shape == (20, 2)
    assert np.all(np.isfinite(vae.transform(X)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        fast(latent="topic").fit(X[:1])


@pytest.mark.trains
@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "gaussian"])
def test_a_single_feature_can_be_fitted(X, likelihood):
    vae = fast(likelihood=likelihood).fit(X[:, :1])
    assert np.all(np.isfinite(vae.transform(X[:, :1])))
    assert np.all(np.isfinite(vae.score_samples(X[:, :1])))
    with pytest.raises(ValueError, match="X has 5 features, but VAEEmbedder"):
        vae.transform(X)


@pytest.mark.trains
@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "gaussian"])
def test_huge_values_within_float32_range_give_finite_results(X, likelihood):
    # 1e30 is documented to work: training is float32 (largest 3.4e38) and
    # inference float64.
    vae = fast(likelihood=likelihood).fit(X * 1e30)
    for X_new in (X * 1e30, X, X * 1e38 / X.max()):
        assert np.all(np.isfinite(vae.transform(X_new)))
        assert np.all(np.isfinite(vae.score_samples(X_new)))


@pytest.mark.parametrize("sign", [1, -1])
def test_values_beyond_float32_range_are_rejected(X, fitted, sign):
    X[0, 0] = sign * 1e39
    with pytest.raises(ValueError, match="values too large for VAEEmbedder"):
        fast(likelihood="gaussian").fit(X)
    with pytest.raises(ValueError, match="values too large"):
        fitted.transform(np.abs(X))
    with pytest.raises(ValueError, match="values too large"):
        fitted.score(sp.csr_matrix(np.abs(X)))


@pytest.mark.trains
def test_overflow_at_inference_raises_instead_of_returning_inf(X):
    vae = fast(likelihood="poisson").fit(X)
    # exp(eta) of a far-out latent row overflows float64.
    with pytest.raises(ValueError, match=r"inverse_transform overflowed"):
        vae.inverse_transform(np.array([[1e6, -1e6]]))


@pytest.mark.trains
def test_a_diverging_float32_fit_on_huge_counts_is_an_error(X):
    # lgamma of 1e38 overflows float32: a clear error, never NaN weights.
    X[0, 0] = 3e38
    vae = fast(likelihood="poisson")
    with pytest.raises(ValueError, match="NaN or infinite"):
        vae.fit(X)
    assert not hasattr(vae, "n_features_in_")


def _memmap(X, tmp_path):
    path = tmp_path / "X.dat"
    writable = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    writable[:] = X
    writable.flush()
    return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)


def _joblib_mmap(X, tmp_path):
    joblib.dump(X, tmp_path / "X.joblib")
    return joblib.load(tmp_path / "X.joblib", mmap_mode="r")


@pytest.mark.trains
@pytest.mark.parametrize("open_read_only", [_memmap, _joblib_mmap])
def test_read_only_memmaps_are_accepted(X, fitted, tmp_path, open_read_only):
    X_mapped = open_read_only(X, tmp_path)
    assert not X_mapped.flags.writeable
    assert_array_equal(fitted.transform(X_mapped), fitted.transform(X))
    assert_array_equal(fast().fit(X_mapped).transform(X), fast().fit(X).transform(X))


@pytest.mark.parametrize(
    "view",
    [lambda X: X[:, ::2], lambda X: X[::-1, :5], lambda X: np.asfortranarray(X[:, :5])],
    ids=["strided-columns", "reversed-rows", "fortran"],
)
def test_non_contiguous_input_gives_the_contiguous_result(fitted, view):
    X_wide = np.random.RandomState(1).poisson(2.0, size=(20, 10)).astype(float)
    X_view = view(X_wide)
    assert not X_view.flags.c_contiguous
    expected = fitted.transform(np.ascontiguousarray(X_view))
    assert_array_equal(fitted.transform(X_view), expected)
    X_copy = np.ascontiguousarray(X_view)
    assert_array_equal(fitted.score_samples(X_view), fitted.score_samples(X_copy))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, bool])
def test_integer_dtypes_are_converted_to_float64(fitted, X, dtype):
    X_int = (X > 2) if dtype is bool else X.astype(dtype)
    Z = fitted.transform(X_int)
    assert Z.dtype == np.float64
    assert_array_equal(Z, fitted.transform(X_int.astype(np.float64)))


def test_feature_names_are_checked_at_transform(fitted, X):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=list("abcde"))
    with pytest.warns(UserWarning, match="fitted without feature names"):
        fitted.transform(frame)


@pytest.mark.trains
def test_dataframes_with_and_without_feature_names(X):
    pd = pytest.importorskip("pandas")
    named = pd.DataFrame(X, columns=list("abcde"))
    vae = fast().fit(named)
    assert list(vae.feature_names_in_) == list("abcde")
    with pytest.raises(ValueError, match="feature names should match"):
        vae.transform(named[list("edcba")])
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        vae.transform(named.rename(columns={"a": "z"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        Z_array = vae.transform(X)
    assert_array_equal(vae.transform(named), Z_array)
    unnamed = fast().fit(pd.DataFrame(X))  # integer column labels
    assert not hasattr(unnamed, "feature_names_in_")
    assert_array_equal(unnamed.transform(pd.DataFrame(X)), Z_array)
