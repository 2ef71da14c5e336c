"""Saving and loading: skops with only skvae's type trusted, the version
warning of pickles, and weights-only safetensors files."""

import pickle
import sys

import numpy as np
import pytest
from conftest import small_vae
from numpy.testing import assert_array_equal
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder, __version__
from skvae._embedder import fitted_state
from skvae.exceptions import DeviceFallbackWarning, InconsistentVersionWarning
from skvae.serialization import load_safetensors, save_safetensors

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SKVAE_TYPES = ["skvae._embedder.VAEEmbedder"]


small = small_vae


def assert_same_inference(loaded, original, X):
    assert_array_equal(loaded.transform(X), original.transform(X))
    assert_array_equal(loaded.score_samples(X), original.score_samples(X))
    Z = original.transform(X)
    assert_array_equal(loaded.inverse_transform(Z), original.inverse_transform(Z))


@pytest.mark.parametrize("fit", ["fit", "partial_fit"])
def test_skops_needs_only_skvae_trusted(counts, tmp_path, fit):
    # partial_fit also stores Adam's state and carries random_state_ on.
    vae = getattr(small(), fit)(counts)
    path = tmp_path / "vae.skops"
    sio.dump(vae, path)
    assert sio.get_untrusted_types(file=path) == SKVAE_TYPES
    loaded = sio.load(path, trusted=SKVAE_TYPES)
    assert_same_inference(loaded, vae, counts)
    # The loaded model trains on as the original does.
    assert_array_equal(
        loaded.partial_fit(counts).transform(counts),
        vae.partial_fit(counts).transform(counts),
    )


@pytest.mark.parametrize("vectorizer", [CountVectorizer, TfidfVectorizer])
def test_skops_pipeline_needs_only_skvae_trusted(corpus, tmp_path, vectorizer):
    docs, labels = corpus
    pipe = make_pipeline(vectorizer(), small(), LogisticRegression()).fit(docs, labels)
    path = tmp_path / "pipe.skops"
    sio.dump(pipe, path)
    assert sio.get_untrusted_types(file=path) == SKVAE_TYPES
    loaded = sio.load(path, trusted=SKVAE_TYPES)
    assert_array_equal(loaded[:-1].transform(docs), pipe[:-1].transform(docs))
    assert_array_equal(loaded.predict_proba(docs), pipe.predict_proba(docs))


def test_pickles_record_the_skvae_version(counts, recwarn):
    vae = small(max_iter=2).fit(counts)
    state = vae.__getstate__()
    assert state["_skvae_version"] == __version__
    assert "_skvae_version" not in vars(vae)
    loaded = pickle.loads(pickle.dumps(vae))
    assert not [w for w in recwarn if w.category is InconsistentVersionWarning]
    assert "_skvae_version" not in vars(loaded)
    assert_array_equal(loaded.transform(counts), vae.transform(counts))


@pytest.mark.parametrize("saved_version", ["0.0.1", None])
def test_a_pickle_from_another_version_warns(counts, saved_version):
    vae = small(max_iter=2).fit(counts)
    state = vae.__getstate__()
    if saved_version is None:  # pickled before skvae recorded its version
        del state["_skvae_version"]
    else:
        state["_skvae_version"] = saved_version
    loaded = VAEEmbedder.__new__(VAEEmbedder)
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded.__setstate__(state)
    warning = record[0].message
    assert warning.estimator_name == "VAEEmbedder"
    assert warning.original_version == (saved_version or "unknown")
    assert warning.current_version == __version__
    assert f"from skvae version {warning.original_version}" in str(warning)
    assert_array_equal(loaded.transform(counts), vae.transform(counts))


@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_a_pickle_from_before_latent_params_loads(counts, latent):
    # Earlier versions kept the topic latent's parameters as fields of the
    # network spec, for every latent kind.
    seeds = {"seed_topics": [[0, 1]]} if latent == "topic" else {}
    vae = small(max_iter=2, latent=latent, doc_topic_prior=1.0, **seeds).fit(counts)
    state = vae.__getstate__()
    spec = state["_state"]["spec"]
    params = spec.pop("latent_params")
    spec.update({"doc_topic_prior": 1.0, "seed_topics": (), "seed_strength": 0.0})
    spec.update(params)
    loaded = VAEEmbedder.__new__(VAEEmbedder)
    loaded.__setstate__(state)
    assert fitted_state(loaded).spec == fitted_state(vae).spec
    assert_array_equal(loaded.transform(counts), vae.transform(counts))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"likelihood": "gaussian", "decoder_hidden_layer_sizes": (4,)},
        {"latent": "topic", "tied_weights": True},
        {"likelihood": "bernoulli", "hidden_layer_sizes": ()},
    ],
    ids=str,
)
def test_safetensors_round_trip_gives_the_same_model(counts, tmp_path, params):
    X = counts.astype(np.float32)
    if params.get("likelihood") == "bernoulli":
        X.data = np.minimum(X.data, 1)
    X[0, 0] = np.nan  # missing values: the encoder gets indicator weights
    vae = small(**params).fit(X)
    path = tmp_path / "vae.safetensors"
    save_safetensors(vae, path)
    loaded = load_safetensors(path)
    assert_same_inference(loaded, vae, X)
    assert loaded.get_params() == vae.get_params()
    assert loaded.n_features_in_ == vae.n_features_in_
    assert loaded.likelihood_ == vae.likelihood_
    assert_array_equal(loaded.sample(3, random_state=0), vae.sample(3, random_state=0))
    if hasattr(vae, "components_"):
        assert loaded.components_.dtype == np.float32
        assert_array_equal(loaded.components_, vae.components_)


def test_safetensors_keeps_feature_names(counts, tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        counts.toarray(), columns=[f"w{j}" for j in range(counts.shape[1])]
    )
    vae = small(random_state=np.random.RandomState(0)).fit(frame)
    save_safetensors(vae, tmp_path / "vae.safetensors")
    loaded = load_safetensors(tmp_path / "vae.safetensors")
    assert_array_equal(loaded.feature_names_in_, vae.feature_names_in_)
    assert loaded.random_state is None  # a generator is not saved
    assert_array_equal(loaded.transform(frame), vae.transform(frame))
    with pytest.raises(ValueError, match="feature names should match"):
        loaded.transform(frame.iloc[:, ::-1])


def test_safetensors_serves_the_step_of_a_pipeline(corpus, tmp_path):
    import json

    docs, labels = corpus
    pipe = make_pipeline(CountVectorizer(), small()).fit(docs)
    save_safetensors(pipe.named_steps["vaeembedder"], tmp_path / "vae.safetensors")
    # The vocabulary is plain strings, e.g. JSON, and rebuilds the vectorizer.
    vocabulary = json.loads(json.dumps(list(pipe[0].get_feature_names_out())))
    served = make_pipeline(
        CountVectorizer(vocabulary=vocabulary),
        load_safetensors(tmp_path / "vae.safetensors"),
    )
    assert_array_equal(served.transform(docs), pipe.transform(docs))


def test_safetensors_files_hold_only_tensors_and_metadata(counts, tmp_path):
    from safetensors import safe_open

    vae = small(max_iter=2).fit(counts)
    save_safetensors(vae, tmp_path / "vae.safetensors")
    with safe_open(tmp_path / "vae.safetensors", framework="np") as file:
        assert set(file.keys()) == set(fitted_state(vae).weights)
        assert set(file.metadata()) == {"skvae"}


def test_safetensors_errors(counts, tmp_path):
    from safetensors.numpy import save_file

    with pytest.raises(ValueError, match="named_steps"):
        save_safetensors(make_pipeline(small()), tmp_path / "pipe.safetensors")
    with pytest.raises(Exception, match="not fitted"):
        save_safetensors(small(), tmp_path / "vae.safetensors")
    save_file({"w": np.zeros(2)}, tmp_path / "other.safetensors")
    with pytest.raises(ValueError, match="not written by save_safetensors"):
        load_safetensors(tmp_path / "other.safetensors")


def test_a_safetensors_file_from_another_version_warns(counts, tmp_path, monkeypatch):
    import skvae.serialization

    vae = small(max_iter=2).fit(counts)
    monkeypatch.setattr(skvae.serialization, "__version__", "0.0.1")
    save_safetensors(vae, tmp_path / "vae.safetensors")
    monkeypatch.undo()
    with pytest.warns(InconsistentVersionWarning, match="version 0.0.1"):
        load_safetensors(tmp_path / "vae.safetensors")


def test_missing_safetensors_gives_an_install_hint(counts, tmp_path, monkeypatch):
    vae = small(max_iter=2).fit(counts)
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match=r"pip install 'skvae\[persistence\]'"):
        save_safetensors(vae, tmp_path / "vae.safetensors")


@pytest.mark.parametrize(
    "fitted_on",
    # "cpu": fitted here, then given the device="cuda" a GPU-fitted model holds.
    ["cpu", pytest.param("cuda", marks=pytest.mark.cuda)],
)
@pytest.mark.parametrize("latent", ["gaussian", "topic"])
def test_a_gpu_fitted_model_loads_and_runs_without_cuda(
    counts, latent, fitted_on, tmp_path, monkeypatch
):
    import torch

    vae = VAEEmbedder(
        2,
        latent=latent,
        hidden_layer_sizes=(8,),
        max_iter=2,
        random_state=0,
        device=fitted_on,
    ).fit(counts)
    Z = vae.transform(counts)
    # What a model fitted on a GPU holds: device="cuda" among its parameters.
    vae.set_params(device="cuda")
    pickled = pickle.dumps(vae)
    save_safetensors(vae, tmp_path / "vae.safetensors")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for loaded in (
        pickle.loads(pickled),
        load_safetensors(tmp_path / "vae.safetensors"),
    ):
        assert loaded.device == "cuda"
        with pytest.warns(DeviceFallbackWarning):
            Z_loaded = loaded.transform(counts)
        if fitted_on == "cpu":
            assert_array_equal(Z_loaded, Z)
        else:
            # float64 inference on the GPU, then on the CPU: rounding only.
            np.testing.assert_allclose(Z_loaded, Z, rtol=0, atol=1e-10)
