"""Training curves and the KL weight
=================================

This example looks at how a :class:`skvae.VAEEmbedder` trains and what its KL
weight ``beta`` does. First, the training loss per epoch (``loss_curve_``) next to
the ELBO of held-out documents that early stopping monitors
(``validation_scores_``). Then models fitted with ``beta`` from 0.1 to 4 are
compared on three test-set measures: the ELBO (``score``), the perplexity, and the
accuracy of a classifier trained on the embeddings.
"""

# %%
# Data
# ----
# Word counts of the first 3,000 training and 2,000 test documents of 20 Newsgroups.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups

# The beta sweep caps each fit at 30 epochs to keep the example quick;
# VAEEmbedder then warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

train = load_20newsgroups("train")
test = load_20newsgroups("test")
vectorizer = CountVectorizer(
    stop_words="english", min_df=5, max_df=0.5, max_features=2000
)
X_train = vectorizer.fit_transform(train.data[:3000])
X_test = vectorizer.transform(test.data[:2000])
y_train, y_test = train.target[:3000], test.target[:2000]

# %%
# The loss curve and early stopping
# ---------------------------------
# With ``early_stopping=True``, 10% of the training documents are held out; training
# stops once their ELBO has not improved for ``n_iter_no_change`` epochs, and the
# weights of the best epoch are kept. ``loss_curve_`` is the mean training loss (the
# negative ELBO) per epoch, ``validation_scores_`` the mean held-out ELBO, so we
# plot the negative of the latter to put both on one scale. An epoch resets the
# patience counter only when it beats the best score by the relative ``tol``;
# smaller gains still update the kept weights, so the last epoch can be the best.
vae = VAEEmbedder(
    n_components=20, early_stopping=True, max_iter=100, random_state=0
).fit(X_train)
best_epoch = int(np.argmax(vae.validation_scores_)) + 1
print(f"stopped after {vae.n_iter_} epochs; best validation epoch: {best_epoch}")
print(f"best validation ELBO: {vae.best_validation_score_:.1f} nats per document")

epochs = np.arange(1, vae.n_iter_ + 1)
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(epochs, vae.loss_curve_, label="training loss (loss_curve_)")
ax.plot(epochs, -np.asarray(vae.validation_scores_), label="-validation_scores_")
ax.axvline(best_epoch, color="gray", linestyle=":", label="best epoch (kept)")
ax.set_xlabel("epoch")
ax.set_ylabel("negative ELBO (nats per document)")
ax.set_title("Training with early stopping")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The effect of beta
# ------------------
# ``beta`` weighs the KL term of the training loss. A small ``beta`` lets the
# encoder put more information about each document into its latent code; a large
# one pulls every code towards the prior. We compare, on the test documents:
#
# - the ELBO, ``score``: whatever ``beta`` was used in training, it is computed with
#   ``beta=1``, so the models compare on one scale;
# - ``perplexity``: LDA's perplexity, ``exp(-ELBO / number of words)`` without the
#   multinomial coefficient. Being derived from the ELBO, it also charges for the
#   KL term;
# - the reconstruction perplexity: the same per-word measure for the word
#   distribution decoded from the posterior mean,
#   ``inverse_transform(transform(X))``, with no KL term. This is how well the
#   latent code alone reconstructs a document;
# - the accuracy of a logistic regression on the embeddings: what they hold about
#   the newsgroup.


def reconstruction_perplexity(vae, X):
    word_probabilities = vae.inverse_transform(vae.transform(X))
    word_probabilities /= word_probabilities.sum(axis=1, keepdims=True)
    log_likelihood = X.multiply(np.log(word_probabilities)).sum()
    return np.exp(-log_likelihood / X.sum())


betas = [0.1, 0.5, 1.0, 2.0, 4.0]
results = {
    "test ELBO (higher is better)": [],
    "test perplexity": [],
    "reconstruction perplexity": [],
    "test accuracy": [],
}
for beta in betas:
    vae = VAEEmbedder(n_components=20, beta=beta, max_iter=30, random_state=0)
    Z_train = vae.fit_transform(X_train)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    classifier.fit(Z_train, y_train)
    values = [
        vae.score(X_test),
        vae.perplexity(X_test),
        reconstruction_perplexity(vae, X_test),
        classifier.score(vae.transform(X_test), y_test),
    ]
    for column, value in zip(results.values(), values, strict=True):
        column.append(value)
    print(
        f"beta={beta:<4} ELBO {values[0]:7.1f}  perplexity {values[1]:5.0f}"
        f"  reconstruction perplexity {values[2]:5.0f}  accuracy {values[3]:.3f}"
    )

# %%
# A smaller ``beta`` gives codes that reconstruct the documents better, but the KL
# term it neglects grows, which the ELBO and the perplexity (both computed with
# ``beta=1``) penalise: ``beta=1`` is the setting that trains for the ELBO itself.
# A large ``beta`` blurs the codes, and the classifier loses accuracy.
fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
for ax, (title, values) in zip(axes, results.items(), strict=True):
    ax.plot(betas, values, marker="o")
    ax.set_xscale("log")
    ax.set_xticks(betas, [str(beta) for beta in betas])
    ax.set_xlabel("beta")
    ax.set_title(title, fontsize="medium")
fig.tight_layout()
plt.show()
