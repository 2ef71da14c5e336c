"""Parallel and distributed runs: threads, joblib's loky and dask backends,
dask-ml."""

import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import joblib
import numpy as np
import pytest
import torch
from conftest import small_vae
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

GRID = {"n_components": [2, 3], "beta": [0.5, 1.0]}


def torch_threads(estimator, X, y=None):
    """A 'score' that reports how many threads torch uses in the worker."""
    import torch

    return torch.get_num_threads()


small = partial(small_vae, n_components=10, max_iter=3)


def test_grid_search_with_loky_workers_uses_one_thread_each(counts):
    n_jobs = 2
    grid = GridSearchCV(small(), GRID, cv=2, n_jobs=n_jobs, scoring=torch_threads)
    grid.fit(counts)
    # joblib limits each worker to cpu_count // n_jobs threads, which torch
    # follows: no oversubscription.
    limit = max(1, joblib.cpu_count() // n_jobs)
    assert np.all(grid.cv_results_["mean_test_score"] <= limit)


def test_grid_search_on_a_dask_cluster(counts):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster), joblib.parallel_backend("dask"):
        threads = GridSearchCV(small(), GRID, cv=2, scoring=torch_threads)
        threads.fit(counts)
        by_score = GridSearchCV(small(), GRID, cv=2).fit(counts)
    assert np.all(threads.cv_results_["mean_test_score"] == 1)
    assert np.all(np.isfinite(by_score.cv_results_["mean_test_score"]))
    serial = GridSearchCV(small(), GRID, cv=2).fit(counts)
    # The same folds and seeds give the same scores wherever they ran.
    np.testing.assert_allclose(
        by_score.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
    )


def test_dask_ml_incremental_streams_blocks(counts):
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X = counts.toarray().astype(np.float64)
    blocks = da.from_array(X, chunks=(30, X.shape[1]))
    incremental = wrappers.Incremental(small(), shuffle_blocks=False).fit(blocks)
    vae = incremental.estimator_
    assert vae.n_iter_ == 3  # one partial_fit per block
    Z = incremental.transform(blocks).compute()
    # Same as training the wrapped estimator on the blocks by hand.
    by_hand = small()
    for start in range(0, X.shape[0], 30):
        by_hand.partial_fit(X[start : start + 30])
    np.testing.assert_allclose(Z, by_hand.transform(X), rtol=1e-12, atol=1e-15)


def test_concurrent_transform_matches_serial(counts):
    vae = small(max_iter=5).fit(counts)
    offsets = range(7)  # each call embeds a different set of rows
    expected = {
        k: (vae.transform(counts[k:]), vae.score_samples(counts[k:])) for k in offsets
    }

    def infer(call):
        k = call % len(offsets)
        return k, vae.transform(counts[k:]), vae.score_samples(counts[k:])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(infer, range(200)))
    for k, Z, scores in results:
        assert_array_equal(Z, expected[k][0])
        assert_array_equal(scores, expected[k][1])


def _global_state():
    """What inference must not change: it runs in threads next to other code."""
    return {
        "warnings.filters": list(warnings.filters),
        "torch threads": torch.get_num_threads(),
        "torch grad mode": torch.is_grad_enabled(),
        "torch rng": torch.random.get_rng_state().numpy().copy(),
        # The legacy global generator, which random_state=None would use.
        "numpy rng": np.random.get_state()[1].copy(),  # noqa: NPY002
    }


def test_inference_leaves_global_state_alone(counts):
    vae = small(max_iter=2).fit(counts)
    before = _global_state()
    vae.transform(counts)
    vae.score(counts)
    vae.inverse_transform(np.zeros((2, vae.n_components_)))
    vae.sample(3, random_state=0)
    after = _global_state()
    for name, value in before.items():
        assert_array_equal(after[name], value, err_msg=name)
