"""VAEEmbedder inside Pipelines, grid searches and joblib round trips."""

import io
import pickle

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def vae(**params):
    # tol=0: train until the loss stops improving at all (tiny, noisy data).
    defaults = dict(
        n_components=3,
        hidden_layer_sizes=(32,),
        max_iter=100,
        learning_rate_init=3e-3,
        tol=0.0,
    )
    return VAEEmbedder(**{**defaults, "random_state": 0, **params})


@pytest.mark.parametrize("vectorizer", [CountVectorizer, TfidfVectorizer])
def test_text_pipeline_classifies(corpus, vectorizer):
    docs, labels = corpus
    pipe = make_pipeline(vectorizer(), vae(), LogisticRegression())
    pipe.fit(docs[:60], labels[:60])
    assert pipe.predict(docs[60:]).shape == (30,)
    # Three topics with disjoint words: the embedding must separate them.
    assert pipe.score(docs[60:], labels[60:]) > 0.9


def test_grid_search_over_pipeline_in_parallel(corpus):
    docs, labels = corpus
    pipe = make_pipeline(CountVectorizer(), vae(max_iter=10), LogisticRegression())
    grid = GridSearchCV(
        pipe,
        {"vaeembedder__n_components": [2, 3], "vaeembedder__beta": [0.5, 1.0]},
        cv=2,
        n_jobs=2,
        error_score="raise",
    )
    grid.fit(docs, labels)
    assert len(grid.cv_results_["params"]) == 4
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


def test_grid_search_without_y_selects_by_score(counts):
    grid = GridSearchCV(vae(max_iter=20), {"n_components": [1, 3], "beta": [1.0]}, cv=3)
    grid.fit(counts)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)
    best = grid.cv_results_["params"][int(np.argmax(scores))]
    assert grid.best_params_ == best
    assert grid.best_estimator_.n_components == best["n_components"]


class _RefuseTorch(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] == "torch":
            raise AssertionError(f"the pickle references {module}.{name}")
        return super().find_class(module, name)


def test_joblib_round_trip_is_exact_and_torch_free(corpus, tmp_path):
    docs, labels = corpus
    pipe = make_pipeline(CountVectorizer(), vae(), LogisticRegression())
    pipe.fit(docs, labels)
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    loaded = joblib.load(path)
    embed = pipe[:-1].transform(docs)
    assert_array_equal(loaded[:-1].transform(docs), embed)
    assert_array_equal(loaded.predict_proba(docs), pipe.predict_proba(docs))
    restored = _RefuseTorch(io.BytesIO(pickle.dumps(pipe))).load()
    assert_array_equal(restored[:-1].transform(docs), embed)


def test_refuse_torch_detects_a_torch_object():
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError, match="torch"):
        _RefuseTorch(io.BytesIO(pickle.dumps(torch.zeros(2)))).load()
