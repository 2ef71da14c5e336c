"""scikit-learn's estimator checks, with no expected failures."""

import pytest
from conftest import small_vae
from sklearn.utils.estimator_checks import parametrize_with_checks

from skvae.text import PPMITransformer

_fast = small_vae


# The fast settings stop before convergence on purpose.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        _fast(),
        _fast(likelihood="gaussian", early_stopping=True, n_iter_no_change=2),
        _fast(likelihood="poisson", dropout=0.1, kl_warmup_iter=2),
        _fast(latent="topic", tied_weights=True, dropout=0.2),
        _fast(tied_weights=True, hidden_layer_sizes=()),
        _fast(decoder_hidden_layer_sizes=(8,)),
        _fast(input_dropout=0.5),
        _fast(seed_topics=[[0]], latent="topic"),
        PPMITransformer(),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
