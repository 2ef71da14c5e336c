"""NaN means "not observed": masked out of the likelihood, filled on the way back."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose

from skvae import VAEEmbedder
from skvae._embedder import fitted_state
from skvae._model.likelihoods import LIKELIHOOD_CLASSES, input_statistics
from skvae._model.masking import hide_observed, missing_rate
from skvae._model.network import VAENetwork

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def low_rank(n=300, n_features=12, rank=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, n_features)) * 3
    return X + 10 + 0.1 * rng.normal(size=(n, n_features))


def hide(X, rate, seed=0):
    mask = np.random.RandomState(seed).uniform(size=X.shape) < rate
    X_missing = X.copy()
    X_missing[mask] = np.nan
    return X_missing, mask


def test_reconstruction_fills_missing_entries_better_than_the_mean():
    X = low_rank()
    X_missing, mask = hide(X, 0.2)
    vae = VAEEmbedder(2, max_iter=150, learning_rate_init=1e-2, random_state=0)
    filled = vae.fit(X_missing).inverse_transform(vae.transform(X_missing))
    assert not np.isnan(filled).any()
    vae_error = np.mean((filled[mask] - X[mask]) ** 2)
    column_means = np.nanmean(X_missing, axis=0)
    mean_error = np.mean((np.broadcast_to(column_means, X.shape)[mask] - X[mask]) ** 2)
    assert vae_error < 0.2 * mean_error


def test_fit_transform_score_accept_nan_dense_and_sparse(counts):
    X = counts.toarray().astype(float)
    X[0, 0] = X[5, 3] = np.nan
    for data in (X, sp.csr_matrix(X)):
        vae = VAEEmbedder(2, max_iter=3, random_state=0).fit(data)
        assert vae.likelihood_ == "multinomial"
        assert np.isfinite(vae.transform(data)).all()
        assert np.isfinite(vae.score_samples(data)).all()
        assert np.isfinite(vae.perplexity(data))
    assert VAEEmbedder().__sklearn_tags__().input_tags.allow_nan


def test_all_missing_row_embeds_finitely():
    X = low_rank(n=50)
    vae = VAEEmbedder(2, max_iter=5, random_state=0).fit(X)
    row = np.full((1, X.shape[1]), np.nan)
    assert np.isfinite(vae.transform(row)).all()
    assert vae.score_samples(row)[0] == pytest.approx(-vae_kl(vae, row), rel=1e-9)


def vae_kl(vae, row):
    # With nothing observed the ELBO is just minus the KL term.
    network = vae._inference_network()
    with torch.no_grad():
        mu, log_var = network.encode(torch.tensor(row))
        return float(network.kl(mu, log_var)[0])


def test_nan_does_not_hide_negative_counts():
    X = np.array([[1.0, np.nan], [-1.0, 2.0], [0.0, 3.0]])
    with pytest.raises(ValueError, match="Negative values"):
        VAEEmbedder(likelihood="multinomial").fit(X)


@pytest.mark.parametrize("name", ["poisson", "bernoulli", "gaussian"])
def test_masked_log_prob_is_the_observed_features_log_prob(name):
    rng = np.random.RandomState(0)
    x = torch.tensor(rng.binomial(1, 0.5, size=(4, 6)), dtype=torch.float64)
    likelihood = LIKELIHOOD_CLASSES[name](input_statistics(x.numpy(), name)).double()
    eta = torch.tensor(rng.normal(size=(4, 6)))
    observed = torch.ones(4, 6, dtype=torch.bool)
    observed[:, 2] = False
    keep = [0, 1, 3, 4, 5]
    sub = LIKELIHOOD_CLASSES[name](
        {
            k: v[keep] if v.size == 6 else v
            for k, v in input_statistics(x.numpy(), name).items()
        }
    ).double()
    with torch.no_grad():
        expected = sub.log_prob(x[:, keep], eta[:, keep], None)
        actual = likelihood.log_prob(x, eta, observed)
    assert_allclose(actual, expected, rtol=1e-12)


def test_masked_multinomial_renormalises_over_observed_terms():
    rng = np.random.RandomState(0)
    x = torch.tensor(rng.poisson(2.0, size=(3, 5)), dtype=torch.float64)
    stats = input_statistics(x.numpy(), "multinomial")
    likelihood = LIKELIHOOD_CLASSES["multinomial"](stats).double()
    eta = torch.tensor(rng.normal(size=(3, 5)))
    observed = torch.ones(3, 5, dtype=torch.bool)
    observed[:, 1] = False
    x_filled = x.clone()
    x_filled[:, 1] = 0
    keep = [0, 2, 3, 4]
    expected = likelihood.log_prob(x[:, keep], eta[:, keep], None)
    assert_allclose(likelihood.log_prob(x_filled, eta, observed), expected, rtol=1e-10)


def test_missing_rate_counts_nan_of_dense_and_sparse_input():
    X = np.zeros((4, 5))
    X[0, 0] = X[2, 3] = np.nan
    assert missing_rate(X) == pytest.approx(2 / 20)
    assert missing_rate(sp.csr_matrix(X)) == pytest.approx(2 / 20)
    assert missing_rate(np.ones((3, 3))) == 0.0


def test_hide_observed_hides_a_share_of_the_observed_entries():
    torch.manual_seed(0)
    x = torch.randn(400, 50, dtype=torch.float64)
    x[:, :10] = float("nan")
    assert hide_observed(x, 0.0) is x
    hidden = hide_observed(x, 0.3)
    newly_hidden = torch.isnan(hidden) & ~torch.isnan(x)
    assert torch.isnan(hidden[:, :10]).all()  # missing stays missing
    assert float(newly_hidden[:, 10:].double().mean()) == pytest.approx(0.3, abs=0.02)
    kept = ~torch.isnan(hidden)
    assert torch.equal(hidden[kept], x[kept])


def encoder_nan_shares(vae, X_fit, X_transform):
    """Share of NaN the encoder sees at each call during fit, then in transform."""
    shares = []
    original = VAENetwork.encode

    def spy(network, x):
        shares.append(float(torch.isnan(x).double().mean()))
        return original(network, x)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(VAENetwork, "encode", spy)
        vae.fit(X_fit)
        n_fit = len(shares)
        vae.transform(X_transform)
    return shares[:n_fit], shares[n_fit:]


def test_training_hides_extra_observed_entries_from_the_encoder():
    X = low_rank(n=200)
    X_missing, _ = hide(X, 0.3)
    rate = missing_rate(X_missing)
    vae = VAEEmbedder(2, batch_size=200, max_iter=20, random_state=0)
    fit_shares, transform_shares = encoder_nan_shares(vae, X_missing, X_missing)
    # Observed entries are hidden again with the data's own missing rate.
    expected = rate + (1 - rate) * rate
    assert np.mean(fit_shares) == pytest.approx(expected, abs=0.02)
    assert transform_shares == [pytest.approx(rate)]
    # Inference stays deterministic.
    assert_allclose(vae.transform(X_missing), vae.transform(X_missing), rtol=0)
    assert_allclose(vae.score_samples(X_missing), vae.score_samples(X_missing), rtol=0)


def test_training_without_nan_hides_nothing():
    X = low_rank(n=100)
    fit_shares, _ = encoder_nan_shares(VAEEmbedder(2, max_iter=5, random_state=0), X, X)
    assert max(fit_shares) == 0.0


def test_nonlinear_decoder_imputes_hidden_entries():
    # The configuration one would use for imputation: low beta, MLP decoder.
    X = low_rank()
    X_missing, mask = hide(X, 0.3)
    vae = VAEEmbedder(
        4,
        beta=0.25,
        hidden_layer_sizes=(32,),
        decoder_hidden_layer_sizes=(32,),
        max_iter=150,
        learning_rate_init=1e-2,
        random_state=0,
    )
    filled = vae.fit(X_missing).inverse_transform(vae.transform(X_missing))
    vae_error = np.mean((filled[mask] - X[mask]) ** 2)
    column_means = np.nanmean(X_missing, axis=0)
    mean_error = np.mean((np.broadcast_to(column_means, X.shape)[mask] - X[mask]) ** 2)
    assert vae_error < 0.1 * mean_error


def test_sparse_data_with_nan_in_a_few_rows_trains(counts):
    # Batches without NaN stay sparse, the others are densified; training-time
    # hiding applies to both.
    X = counts.astype(np.float64)
    X.data[X.indptr[3] : X.indptr[4]] = np.nan  # row 3 only
    vae = VAEEmbedder(3, hidden_layer_sizes=(16,), batch_size=8, max_iter=5)
    Z = vae.fit(X).transform(X)
    assert fitted_state(vae).spec.missing_indicator
    assert np.isfinite(Z).all() and np.isfinite(vae.score_samples(X)).all()
