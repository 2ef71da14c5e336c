"""A map of newsgroup posts
========================

This example embeds the posts of six newsgroups with :class:`skvae.VAEEmbedder`,
without using their labels, and draws them on a 2-D map coloured by newsgroup.
The VAE compresses each post's word counts to 20 latent dimensions; t-SNE then
lays these 20-D embeddings out in the plane.
"""

# %%
# Posts from six newsgroups
# -------------------------
# ``target_names`` lists the 20 newsgroups; we keep the first 2,500 training posts
# from six of them.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.manifold import TSNE

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups

# The fit is capped at 60 epochs to keep the example quick; VAEEmbedder then
# warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

train = load_20newsgroups("train")
groups = [
    "comp.graphics",
    "rec.sport.hockey",
    "sci.med",
    "sci.space",
    "soc.religion.christian",
    "talk.politics.mideast",
]
labels = [train.target_names.index(group) for group in groups]
keep = np.flatnonzero(np.isin(train.target, labels))[:2500]
docs = [train.data[i] for i in keep]
y = train.target[keep]
print(f"{len(docs)} posts")
for label, group in zip(labels, groups, strict=True):
    print(f"{group:<25} {np.sum(y == label)}")

# %%
# Embed the posts
# ---------------
# ``transform`` returns the mean of each post's posterior over the latent space,
# so the same post always gets the same embedding.
counts = CountVectorizer(
    stop_words="english", min_df=5, max_df=0.5, max_features=2000
).fit_transform(docs)
vae = VAEEmbedder(n_components=20, max_iter=60, random_state=0)
embedding = vae.fit_transform(counts)
print("embedding shape:", embedding.shape)
print(f"ELBO of the training posts: {vae.score(counts):.1f} nats per post")

# %%
# Project to two dimensions and plot
# ----------------------------------
# ``VAEEmbedder(n_components=2)`` would give a 2-D map directly, but two latent
# dimensions cannot hold much about a post and the groups overlap there; 20
# dimensions projected with t-SNE separate them better.
xy = TSNE(n_components=2, init="pca", random_state=0).fit_transform(embedding)

fig, ax = plt.subplots(figsize=(7, 6))
for label, group in zip(labels, groups, strict=True):
    ax.scatter(*xy[y == label].T, s=5, alpha=0.6, label=group)
ax.set_xticks([])
ax.set_yticks([])
ax.set_title("t-SNE of 20-D VAEEmbedder embeddings")
ax.legend(markerscale=3, fontsize="small")
fig.tight_layout()
plt.show()
