"""Tuning a VAEEmbedder inside a pipeline
======================================

:class:`skvae.VAEEmbedder` is an ordinary scikit-learn transformer, so it can sit
between a ``CountVectorizer`` and a classifier in a ``Pipeline`` and have its
parameters tuned by ``GridSearchCV`` like any other step. This example tunes the
number of latent dimensions ``n_components`` and the KL weight ``beta`` for
newsgroup classification, plots the cross-validated accuracy of every grid point,
and then selects ``n_components`` without labels, by the held-out ELBO that
``VAEEmbedder.score`` returns.
"""

# %%
# Load the data
# -------------
# :func:`skvae.datasets.load_20newsgroups` reads a cached copy of 20 Newsgroups and
# never downloads from the original web site. To keep the example fast we train on
# the first 3,000 training documents and evaluate on 2,000 test documents.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups

# The fits below are capped at a few dozen epochs to keep the example quick;
# VAEEmbedder then warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

train = load_20newsgroups("train")
test = load_20newsgroups("test")
docs_train, y_train = train.data[:3000], train.target[:3000]
docs_test, y_test = test.data[:2000], test.target[:2000]
print(f"{len(docs_train)} training and {len(docs_test)} test documents")

# %%
# A pipeline: word counts -> VAE embeddings -> logistic regression
# ----------------------------------------------------------------
# ``VAEEmbedder`` picks the multinomial likelihood for word counts by itself
# (``likelihood="auto"``). Its step name in the pipeline is ``vaeembedder``, so its
# parameters are addressed as ``vaeembedder__<name>`` in the grid. With only 1,500
# documents per training fold, minibatches of 200 (instead of the default 500) give
# the optimizer more steps per epoch, so 20 epochs are enough for this example.
pipe = make_pipeline(
    CountVectorizer(stop_words="english", min_df=5, max_df=0.5, max_features=2000),
    VAEEmbedder(batch_size=200, max_iter=20, random_state=0),
    LogisticRegression(max_iter=1000),
)
param_grid = {
    "vaeembedder__n_components": [10, 30],
    "vaeembedder__beta": [0.5, 1.0],
}
search = GridSearchCV(pipe, param_grid, cv=2)
search.fit(docs_train, y_train)

print("Best parameters:", search.best_params_)
print(f"Best cross-validated accuracy: {search.best_score_:.3f}")
test_accuracy = search.score(docs_test, y_test)
print(f"Test accuracy of the refitted best pipeline: {test_accuracy:.3f}")

# %%
# Cross-validated accuracy per grid point
# ---------------------------------------
# ``cv_results_`` holds the mean and standard deviation of the score for every
# combination of parameters.
results = search.cv_results_
fig, ax = plt.subplots(figsize=(5, 3.5))
for beta in param_grid["vaeembedder__beta"]:
    rows = np.flatnonzero(results["param_vaeembedder__beta"] == beta)
    ax.errorbar(
        results["param_vaeembedder__n_components"][rows].astype(int),
        results["mean_test_score"][rows],
        yerr=results["std_test_score"][rows],
        marker="o",
        capsize=3,
        label=f"beta={beta}",
    )
ax.set_xticks(param_grid["vaeembedder__n_components"])
ax.set_xlabel("n_components")
ax.set_ylabel("mean CV accuracy")
ax.set_title("Pipeline accuracy over the grid")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Selecting a model without labels
# --------------------------------
# Without a classifier to score, ``GridSearchCV`` falls back to the estimator's own
# ``score`` method. For ``VAEEmbedder`` this is the mean ELBO of the held-out
# documents, always computed with ``beta=1``, so models with different ``beta`` and
# ``n_components`` are compared on the same scale: the higher, the better the model
# explains documents it was not trained on.
X_train = CountVectorizer(
    stop_words="english", min_df=5, max_df=0.5, max_features=2000
).fit_transform(docs_train)
# ``refit=False``: only the comparison is needed here, not a final model.
unsupervised = GridSearchCV(
    VAEEmbedder(batch_size=200, max_iter=20, random_state=0),
    {"n_components": [5, 20, 50]},
    cv=2,
    refit=False,
)
unsupervised.fit(X_train)
for n_components, elbo in zip(
    unsupervised.cv_results_["param_n_components"],
    unsupervised.cv_results_["mean_test_score"],
    strict=True,
):
    print(f"n_components={n_components:3d}: held-out ELBO {elbo:.1f} nats/document")
print("Selected by ELBO:", unsupervised.best_params_)

# %%
# The held-out ELBO measures how well the model explains new documents, not how
# useful the embeddings are for a particular task, so the two searches need not
# agree. If the best ELBO is at the edge of the grid, extend the grid.
