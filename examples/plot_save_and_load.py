"""Saving and loading models
=========================

A fitted :class:`skvae.VAEEmbedder` holds only numpy arrays and plain Python
values, so it saves like any scikit-learn estimator. This example saves a fitted
text pipeline three ways and checks that every reloaded copy gives the same
embeddings:

- joblib (pickle): simplest, but loading a pickle can run arbitrary code, so only
  load files you trust;
- skops: a format that loads only the types you allow;
- safetensors, with :mod:`skvae.serialization`: the network's weights and JSON
  metadata only, safe to load from any source; the vectorizer is rebuilt from its
  vocabulary.
"""

# %%
# Fit a pipeline
# --------------
import json
import tempfile
import warnings
from pathlib import Path

import joblib
import numpy as np
import skops.io as sio
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups
from skvae.serialization import load_safetensors, save_safetensors

# The fit is capped at 30 epochs to keep the example quick; VAEEmbedder then
# warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

docs = load_20newsgroups("train").data[:3000]
new_docs = load_20newsgroups("test").data[:500]
pipe = make_pipeline(
    CountVectorizer(stop_words="english", min_df=5, max_df=0.5, max_features=2000),
    VAEEmbedder(n_components=20, max_iter=30, random_state=0),
)
pipe.fit(docs)
expected = pipe.transform(new_docs)
print("embeddings of the new documents:", expected.shape)

# All files go to a temporary folder that is deleted at the end.
tmp = tempfile.TemporaryDirectory()
folder = Path(tmp.name)

# %%
# joblib
# ------
# ``joblib.dump`` pickles the whole pipeline. Never load a pickle from an untrusted
# source: unpickling can run any code.
joblib.dump(pipe, folder / "pipeline.joblib")
reloaded = joblib.load(folder / "pipeline.joblib")
np.testing.assert_allclose(reloaded.transform(new_docs), expected)
print(
    f"joblib: {(folder / 'pipeline.joblib').stat().st_size / 1e6:.1f} MB, same output"
)

# %%
# skops
# -----
# ``skops.io.load`` refuses types that are not trusted. ``get_untrusted_types``
# lists those a file needs beyond skops' defaults. Inspect that list, then name the
# types you accept explicitly: passing the list back unread would trust whatever
# the file asks for. For this pipeline only the VAEEmbedder class is needed.
sio.dump(pipe, folder / "pipeline.skops")
print("types to trust:", sio.get_untrusted_types(file=folder / "pipeline.skops"))
reloaded = sio.load(folder / "pipeline.skops", trusted=["skvae._embedder.VAEEmbedder"])
np.testing.assert_allclose(reloaded.transform(new_docs), expected)
print("skops: same output")

# %%
# safetensors, for serving
# ------------------------
# ``save_safetensors`` writes the VAEEmbedder step's weights and metadata (no
# training history, no optimizer state). The ``CountVectorizer`` is not part of
# the file: save its vocabulary, plain strings, as JSON, and rebuild the pipeline
# around the loaded model with ``CountVectorizer(vocabulary=...)``. The
# vectorizer's other settings (here ``stop_words``) only shaped the vocabulary,
# which is now given; settings that change how text is split into words, such as
# ``lowercase`` or ``token_pattern``, must be repeated if they differ from the
# defaults.
save_safetensors(pipe.named_steps["vaeembedder"], folder / "vae.safetensors")
vocabulary = pipe.named_steps["countvectorizer"].get_feature_names_out().tolist()
(folder / "vocabulary.json").write_text(json.dumps(vocabulary))

# On the serving side: nothing here executes code from the files.
served = make_pipeline(
    CountVectorizer(vocabulary=json.loads((folder / "vocabulary.json").read_text())),
    load_safetensors(folder / "vae.safetensors"),
)
np.testing.assert_allclose(served.transform(new_docs), expected)
size = (folder / "vae.safetensors").stat().st_size / 1e6
print(f"safetensors: {size:.1f} MB, same output from the rebuilt pipeline")

tmp.cleanup()
