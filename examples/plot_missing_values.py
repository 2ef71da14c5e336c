"""Filling in missing values
=========================

:class:`skvae.VAEEmbedder` accepts NaN as "not observed": missing entries are left
out of the likelihood, and ``inverse_transform(transform(X))`` returns the model's
expected value of every entry, missing ones included. This example hides 30% of
the pixels of scikit-learn's handwritten digits, fills them in with a VAE, and
compares the error on the hidden pixels with ``SimpleImputer`` and ``KNNImputer``.
"""

# %%
# Hide 30% of the pixels
# ----------------------
# Each of the 1,797 images has 8 x 8 pixels with values from 0 to 16. Every entry is
# hidden independently with probability 0.3.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import KNNImputer, SimpleImputer

from skvae import VAEEmbedder

X = load_digits().data
rng = np.random.default_rng(0)
hidden = rng.random(X.shape) < 0.3
X_missing = np.where(hidden, np.nan, X)
print(f"{hidden.sum()} of {hidden.size} entries hidden ({hidden.mean():.0%})")

# %%
# Impute with a VAE
# -----------------
# Pixel values are real numbers, so we use the Gaussian likelihood. The defaults
# (a linear decoder, 10 latent dimensions) are built for text; for imputation a
# nonlinear decoder (``decoder_hidden_layer_sizes``), a wider encoder and a small KL
# weight ``beta`` reconstruct much more accurately. While it trains on data with
# NaN, the VAE also hides a share of the observed pixels from its encoder and still
# scores them, so it learns to predict pixels it does not see.
#
# The model is fitted on the masked matrix itself, as an imputer would be. We keep
# the observed entries and take the VAE's reconstruction only where X is NaN.
vae = VAEEmbedder(
    n_components=20,
    likelihood="gaussian",
    hidden_layer_sizes=(512, 256),
    decoder_hidden_layer_sizes=(256,),
    beta=0.1,
    max_iter=300,
    n_iter_no_change=30,
    random_state=0,
)
with warnings.catch_warnings():
    # 300 epochs keep the example quick; a longer fit improves a little more.
    warnings.simplefilter("ignore", ConvergenceWarning)
    vae.fit(X_missing)
reconstruction = vae.inverse_transform(vae.transform(X_missing))
X_vae = np.where(hidden, reconstruction, X_missing)

# %%
# Compare with scikit-learn's imputers
# ------------------------------------
# The error is measured on the hidden entries only, in pixel units.


def rmse_on_hidden(X_imputed):
    return np.sqrt(np.mean((X_imputed[hidden] - X[hidden]) ** 2))


imputed = {
    "SimpleImputer(mean)": SimpleImputer(strategy="mean").fit_transform(X_missing),
    "KNNImputer(n_neighbors=10)": KNNImputer(n_neighbors=10).fit_transform(X_missing),
    "VAEEmbedder": X_vae,
}
for name, X_imputed in imputed.items():
    print(f"{name:<27} RMSE on hidden entries: {rmse_on_hidden(X_imputed):.2f}")

# %%
# Look at a few digits
# --------------------
# Top: the original images. Middle: what the imputers see, hidden pixels in red.
# Bottom: the VAE's fill.
missing_cmap = plt.get_cmap("gray_r").copy()
missing_cmap.set_bad("tab:red")
rows = {"original": X, "masked": X_missing, "VAE imputed": X_vae}
fig, axes = plt.subplots(3, 8, figsize=(8, 3.4))
for ax_row, (title, images) in zip(axes, rows.items(), strict=True):
    for i, ax in enumerate(ax_row):
        ax.imshow(images[i].reshape(8, 8), cmap=missing_cmap, vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
    ax_row[0].set_ylabel(title, fontsize="small")
fig.tight_layout()
plt.show()
