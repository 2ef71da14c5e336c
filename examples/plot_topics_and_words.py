"""Topics and word neighbours
==========================

A :class:`skvae.VAEEmbedder` with a linear decoder learns one weight per latent
dimension and vocabulary term (``components_``). This example reads these weights
two ways with the helpers of :mod:`skvae.text`: as *topics* with
``latent="topic"`` (ProdLDA, a neural topic model whose ``transform`` returns topic
proportions like ``LatentDirichletAllocation``), and as *word vectors* of a default
(Gaussian-latent) model, whose nearest neighbours by cosine similarity are related
words. Last, :class:`skvae.text.WordEmbedder` learns word vectors from the words
around every word.
"""

# %%
# Fit a topic model
# -----------------
# The text helpers accept a fitted ``Pipeline`` and take the vocabulary from the
# ``CountVectorizer`` in front of the ``VAEEmbedder``. We fit 20 topics on the
# first 6,000 training documents of 20 Newsgroups.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups
from skvae.text import (
    WordContexts,
    WordEmbedder,
    nearest_terms,
    topic_terms,
    vocabulary,
)

# The fits are capped at a few dozen epochs to keep the example quick;
# VAEEmbedder then warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

train = load_20newsgroups("train")
docs = train.data[:6000]


def vectorizer():
    return CountVectorizer(
        stop_words="english", min_df=5, max_df=0.5, max_features=2000
    )


topic_model = make_pipeline(
    vectorizer(),
    VAEEmbedder(n_components=20, latent="topic", max_iter=60, random_state=0),
)
topic_model.fit(docs)

# %%
# The top terms of every topic
# ----------------------------
# ``topic_terms`` ranks the terms of each topic by their weight in
# ``components_``: how much the topic raises a term's log-probability compared with
# an even mix of all topics. Most topics match a newsgroup (space, hockey, guns,
# the Middle East, hardware); a few, as in any topic model, gather generic words.
for k, terms in enumerate(topic_terms(topic_model, n_terms=8)):
    print(f"topic {k:2d}: {' '.join(terms)}")

# %%
# ``transform`` returns each document's topic proportions (rows sum to one). Here are
# the two largest for the first six documents, next to their newsgroup. Posts with
# few distinctive words spread their weight over the generic topics.
proportions = topic_model.transform(docs[:6])
short_topics = [" ".join(terms) for terms in topic_terms(topic_model, n_terms=4)]
print("row sums:", proportions.sum(axis=1).round(3))
for row, label in zip(proportions, train.target[:6], strict=True):
    first, second = np.argsort(-row)[:2]
    print(
        f"{train.target_names[label]:<25} {row[first]:.2f} [{short_topics[first]}]"
        f"  {row[second]:.2f} [{short_topics[second]}]"
    )

# %%
# One topic's term weights
# ------------------------
# Take the topic that gives the term "space" its largest weight and plot the
# weights of its top terms.
terms = vocabulary(topic_model)
components = topic_model[-1].components_
topic = int(np.argmax(components[:, np.flatnonzero(terms == "space")[0]]))
top = np.argsort(-components[topic])[:12]

fig, ax = plt.subplots(figsize=(5, 4))
ax.barh(terms[top][::-1], components[topic, top][::-1])
ax.set_xlabel("weight in components_ (logit scale)")
ax.set_title(f"Top terms of topic {topic}")
fig.tight_layout()
plt.show()

# %%
# Word neighbours from a Gaussian-latent model
# --------------------------------------------
# With the default ``latent="gaussian"`` the latent dimensions are not topics, but
# each term still gets a vector, its column of ``components_``
# (:func:`skvae.text.term_vectors`). ``nearest_terms`` returns the terms whose
# vectors have the highest cosine similarity to a probe term.
word_model = make_pipeline(
    vectorizer(), VAEEmbedder(n_components=50, max_iter=30, random_state=0)
)
word_model.fit(docs)
for probe in ["space", "encryption", "god", "car"]:
    neighbours = nearest_terms(word_model, probe, n_terms=6)
    print(f"{probe:>10}: " + ", ".join(f"{t} ({s:.2f})" for t, s in neighbours))

# %%
# Word vectors from local contexts
# --------------------------------
# A document-level bag cannot see which words stand next to each other.
# :class:`skvae.text.WordEmbedder` counts the words within five tokens of every
# term, weighs the counts by PPMI and embeds each term's context row with a VAE;
# ``vectors_`` adds the posterior mean of the row to the term's decoder weights.
# On all of 20 Newsgroups these vectors beat PPMI-SVD and word2vec on WordSim353
# and SimLex-999 (``benchmarks/results/word_vectors.md``). Every function of
# :mod:`skvae.text` takes the fitted estimator, and ``to_keyed_vectors`` hands the
# vectors to gensim.
words = WordEmbedder(
    n_components=100,
    contexts=WordContexts(window=5, stop_words="english", min_df=5, max_df=0.5),
    random_state=0,
).fit(docs)
print(f"{len(words.terms_)} terms, {words.n_iter_} epochs")
for probe in ["space", "encryption", "god", "car"]:
    neighbours = nearest_terms(words, probe, n_terms=6)
    print(f"{probe:>10}: " + ", ".join(f"{t} ({s:.2f})" for t, s in neighbours))
