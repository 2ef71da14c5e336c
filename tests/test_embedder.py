"""Behaviour of VAEEmbedder beyond sklearn's generic checks."""

from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small_vae
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skvae._embedder import fitted_state
from skvae.exceptions import DeviceFallbackWarning

fast = partial(small_vae, n_components=3, hidden_layer_sizes=(32,), max_iter=30)


# Short test fits stop before convergence on purpose; any other warning fails
# the test that raises it.
pytestmark = [
    pytest.mark.filterwarnings("error"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


@pytest.mark.parametrize(
    "make_X, expected",
    [
        (lambda rng: rng.poisson(2.0, size=(40, 6)), "multinomial"),
        (lambda rng: rng.binomial(1, 0.3, size=(40, 6)), "bernoulli"),
        (lambda rng: rng.normal(size=(40, 6)), "gaussian"),
        (lambda rng: rng.uniform(size=(40, 6)), "gaussian"),
    ],
)
def test_auto_likelihood_follows_the_data(make_X, expected):
    X = make_X(np.random.RandomState(0)).astype(float)
    assert fast(max_iter=2).fit(X).likelihood_ == expected


@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "bernoulli"])
def test_count_likelihoods_learn(counts, likelihood):
    X = (counts > 0).astype(float) if likelihood == "bernoulli" else counts
    vae = fast(likelihood=likelihood).fit(X)
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
    assert np.isfinite(vae.score(X))
    assert len(vae.loss_curve_) == vae.n_iter_


def test_gaussian_reconstruction_beats_the_mean():
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(200, 2))
    X = latent @ rng.normal(size=(2, 8)) * 5 + 100 + 0.1 * rng.normal(size=(200, 8))
    vae = fast(n_components=2, max_iter=150, learning_rate_init=1e-2).fit(X)
    assert vae.likelihood_ == "gaussian"
    error = np.mean((vae.inverse_transform(vae.transform(X)) - X) ** 2)
    assert error < 0.1 * np.mean((X - X.mean(axis=0)) ** 2)


def test_gaussian_decoder_is_linear_in_components():
    X = np.random.RandomState(0).normal(size=(50, 5)) * 3 + 7
    vae = fast(n_components=2).fit(X)
    Z = np.random.RandomState(1).normal(size=(4, 2))
    offset = vae.inverse_transform(np.zeros((1, 2)))
    assert_allclose(vae.inverse_transform(Z), offset + Z @ vae.components_, rtol=1e-5)


def test_transform_is_batch_and_order_independent(counts):
    vae = fast().fit(counts)
    Z = vae.transform(counts)
    perm = np.random.RandomState(0).permutation(counts.shape[0])
    assert_allclose(vae.transform(counts[perm]), Z[perm], rtol=1e-12)
    assert_allclose(vae.transform(counts[:1]), Z[:1], rtol=1e-12)
    assert_array_equal(vae.transform(counts), Z)


def test_same_seed_gives_identical_embeddings(counts):
    Z1 = fast(random_state=3).fit_transform(counts)
    Z2 = fast(random_state=3).fit_transform(counts)
    assert_array_equal(Z1, Z2)
    assert not np.allclose(Z1, fast(random_state=4).fit_transform(counts))


def test_fit_leaves_global_torch_rng_alone(counts):
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fast(max_iter=2).fit(counts)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    "to_sparse", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array]
)
def test_sparse_input_matches_dense(counts, to_sparse):
    dense = counts.toarray()
    vae = fast().fit(dense)
    assert_allclose(vae.transform(to_sparse(dense)), vae.transform(dense), rtol=1e-12)
    Z_sparse_fit = fast().fit(to_sparse(dense)).transform(dense)
    assert_allclose(Z_sparse_fit, vae.transform(dense), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(counts, dtype):
    X = counts.astype(dtype)
    vae = fast(max_iter=2).fit(X)
    assert vae.transform(X).dtype == dtype
    assert vae.inverse_transform(vae.transform(X)).dtype == dtype
    assert vae.components_.dtype == dtype


def test_score_is_the_beta_one_elbo(counts):
    vae = fast(beta=4.0).fit(counts)
    assert vae.score(counts) == pytest.approx(vae.score_samples(counts).mean())
    before = vae.score(counts)
    vae.set_params(beta=0.1)
    assert vae.score(counts) == before
    # The ELBO bounds the log-likelihood from below: it is negative for counts.
    assert np.all(vae.score_samples(counts) < 0)


def test_score_prefers_a_trained_model(counts):
    untrained = fast(max_iter=1, learning_rate_init=1e-6).fit(counts)
    trained = fast(max_iter=60).fit(counts)
    assert trained.score(counts) > untrained.score(counts)


@pytest.mark.parametrize("likelihood", ["multinomial", "poisson", "bernoulli"])
def test_samples_reproduce_the_data_marginals(likelihood):
    # Features whose means differ tenfold: the samples must tell them apart.
    rates = np.linspace(0.3, 3.0, 12)
    X = np.random.RandomState(0).poisson(rates, size=(300, 12)).astype(float)
    X = np.minimum(X, 1) if likelihood == "bernoulli" else X
    vae = fast(likelihood=likelihood).fit(X)
    samples = vae.sample(500, random_state=0)
    assert samples.shape == (500, X.shape[1])
    assert_array_equal(samples, vae.sample(500, random_state=0))
    feature_means = np.asarray(X.mean(axis=0)).ravel()
    assert np.corrcoef(samples.mean(axis=0), feature_means)[0, 1] > 0.9


def test_sample_gaussian_has_the_training_scale():
    X = np.random.RandomState(0).normal(size=(300, 3)) * [1, 10, 100] + 50
    vae = fast(max_iter=60).fit(X)
    samples = vae.sample(2000, random_state=0)
    assert_allclose(samples.std(axis=0), X.std(axis=0), rtol=0.3)
    assert np.all(np.abs(samples.mean(axis=0) - X.mean(axis=0)) < 0.3 * X.std(axis=0))


def test_early_stopping_records_validation_scores(counts):
    vae = fast(early_stopping=True, n_iter_no_change=3, tol=1e-2, max_iter=200).fit(
        counts
    )
    assert len(vae.validation_scores_) == vae.n_iter_
    assert vae.best_validation_score_ == max(vae.validation_scores_)
    assert vae.best_loss_ is None
    assert vae.n_iter_ < 200


def test_training_loss_convergence_stops_before_max_iter(counts):
    vae = fast(max_iter=500, tol=0.05, n_iter_no_change=2).fit(counts)
    assert vae.n_iter_ < 500
    assert vae.validation_scores_ is None
    assert vae.best_loss_ == min(vae.loss_curve_)


def test_max_iter_reached_warns(counts):
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        fast(max_iter=2, tol=0).fit(counts)


def test_kl_warmup_does_not_count_towards_convergence(counts):
    vae = fast(
        kl_warmup_iter=8, n_iter_no_change=1, tol=10.0, max_iter=50, input_dropout=0
    )
    # 8 warm-up epochs, one that sets the best loss, one without improvement.
    assert vae.fit(counts).n_iter_ == 10


def test_word_dropout_ends_with_epochs_without_it(counts):
    # tol=10: no epoch ever improves, so each phase lasts n_iter_no_change
    # epochs after its first.
    vae = fast(input_dropout=0.8, n_iter_no_change=2, tol=10.0, max_iter=50)
    vae.fit(counts)
    # 1 epoch sets the best loss, 2 without improvement: converged; then
    # 2 epochs without dropout, whose loss is lower.
    assert vae.n_iter_ == 5
    assert max(vae.loss_curve_[3:]) < min(vae.loss_curve_[:3])
    without = fast(input_dropout=0.0, n_iter_no_change=2, tol=10.0).fit(counts)
    assert without.n_iter_ == 3


def test_verbose_shows_progress(counts, capsys):
    fast(max_iter=3, verbose=2).fit(counts)
    captured = capsys.readouterr()
    assert "Iteration 3, loss =" in captured.out
    assert "VAEEmbedder" in captured.err


def test_diverging_fit_raises_and_leaves_estimator_unfitted():
    X = np.random.RandomState(0).normal(size=(50, 4)) * 1e20
    vae = fast(learning_rate_init=1e30, max_iter=50)
    with pytest.raises(ValueError, match="NaN or infinite"):
        vae.fit(X)
    with pytest.raises(NotFittedError):
        vae.transform(X)
    assert not hasattr(vae, "n_features_in_")


def test_failed_refit_does_not_keep_the_old_model(counts):
    vae = fast(max_iter=2, likelihood="multinomial").fit(counts)
    with pytest.raises(ValueError, match="Negative values"):
        vae.fit(-counts.toarray())
    with pytest.raises(NotFittedError):
        vae.transform(counts)


def test_components_and_feature_names(counts):
    vae = fast().fit(counts)
    assert vae.components_.shape == (3, counts.shape[1])
    assert list(vae.get_feature_names_out()) == [
        "vaeembedder0",
        "vaeembedder1",
        "vaeembedder2",
    ]


def test_set_output_pandas(counts):
    pd = pytest.importorskip("pandas")
    vae = fast(max_iter=2).set_output(transform="pandas")
    frame = vae.fit_transform(counts.toarray())
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(vae.get_feature_names_out())


def test_fitted_state_is_plain_numpy(counts):
    import torch

    vae = fast(max_iter=2).fit(counts)
    for value in vars(vae).values():
        assert not isinstance(value, torch.Tensor | torch.nn.Module)
    for array in fitted_state(vae).weights.values():
        assert type(array) is np.ndarray


@pytest.mark.parametrize("likelihood", ["multinomial", "gaussian"])
def test_sparse_input_is_never_densified(counts, monkeypatch, likelihood):
    densified = []
    toarray = sp.csr_matrix.toarray

    def recording_toarray(self, *args, **kwargs):
        densified.append(self.shape)
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", recording_toarray)
    vae = fast(batch_size=16, max_iter=2, likelihood=likelihood).fit(counts)
    vae.transform(counts)
    vae.score(counts)
    assert densified == []


def test_sparse_input_with_nan_is_densified_one_batch_at_a_time(counts, monkeypatch):
    import skvae._model.batching

    X = counts.astype(np.float64)
    X.data[::7] = np.nan
    densified = []
    toarray = sp.csr_matrix.toarray

    def recording_toarray(self, *args, **kwargs):
        densified.append(self.shape[0])
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", recording_toarray)
    # Inference batches of 16 rows for this vocabulary size.
    monkeypatch.setattr(skvae._model.batching, "_INFERENCE_BATCH_ELEMENTS", 16)
    vae = fast(batch_size=16, max_iter=2).fit(X)
    vae.transform(X)
    assert densified and max(densified) <= 16


SPARSE_CONFIGS = [
    {"likelihood": "multinomial"},
    {"likelihood": "poisson"},
    {"likelihood": "bernoulli"},
    {"likelihood": "gaussian"},
    {"latent": "topic"},
    {"tied_weights": True, "hidden_layer_sizes": ()},
]


@pytest.mark.parametrize("params", SPARSE_CONFIGS, ids=str)
def test_sparse_and_dense_input_give_the_same_model(counts, params):
    X = counts.astype(np.float64)
    if params.get("likelihood") == "bernoulli":
        X.data = np.minimum(X.data, 1.0)
    X_dense = X.toarray()
    # Training: the same losses up to float32 summation order.
    sparse_fit = fast(max_iter=3, **params).fit(X)
    dense_fit = fast(max_iter=3, **params).fit(X_dense)
    np.testing.assert_allclose(sparse_fit.loss_curve_, dense_fit.loss_curve_, rtol=1e-4)
    # Inference on one fitted model: the same result from either input.
    np.testing.assert_allclose(
        dense_fit.transform(X), dense_fit.transform(X_dense), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        dense_fit.score_samples(X), dense_fit.score_samples(X_dense), rtol=1e-9
    )


def test_nonlinear_decoder_has_no_components(counts):
    from skvae.text import topic_terms

    vae = fast(decoder_hidden_layer_sizes=(16,)).fit(counts)
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
    assert not hasattr(vae, "components_")
    assert vae.inverse_transform(vae.transform(counts)).shape == counts.shape
    with pytest.raises(ValueError, match="need a decoder linear"):
        topic_terms(vae, feature_names=[f"w{j}" for j in range(counts.shape[1])])


def test_a_model_fitted_for_cuda_is_served_on_cpu(counts, monkeypatch):
    import torch

    vae = fast(max_iter=2).fit(counts)
    Z = vae.transform(counts)
    # As if fitted with device="cuda" on a GPU machine and loaded here.
    vae.set_params(device="cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceFallbackWarning, match="running on the CPU"):
        np.testing.assert_array_equal(vae.transform(counts), Z)
    # Training still needs the device it names.
    with pytest.raises(ValueError, match="CUDA is not available"):
        vae.partial_fit(counts)
    with pytest.raises(ValueError, match="CUDA is not available"):
        clone(vae).fit(counts)


def test_batch_size_is_checked_against_the_real_training_rows():
    # 11 rows with validation_fraction=0.1: train_test_split holds out
    # ceil(1.1) = 2 rows, so 9 rows train.
    X = np.random.RandomState(0).poisson(1.0, size=(11, 5))
    vae = fast(batch_size=10, early_stopping=True, max_iter=1)
    with pytest.warns(UserWarning, match="larger than the 9 training samples"):
        vae.fit(X)
