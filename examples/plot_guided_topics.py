"""Guided topics: seeding topics with terms
=========================================

A topic model finds whatever themes the corpus holds, not necessarily the ones you
care about. ``VAEEmbedder(latent="topic", seed_topics=...)`` ties some topics to
lists of terms, as tomotopy's ``set_word_prior`` and BERTopic's
``seed_topic_list`` do: topic k's seed terms get a fixed extra weight
(``seed_strength``) in that topic, and the topic starts on the terms most typical
of the documents that use its seeds. The other topics are learned freely. This
example seeds three of twenty topics on 20 Newsgroups and measures, with
:mod:`skvae.metrics`, what the seeding costs the rest of the model.
"""

# %%
# Fit an unguided and a guided topic model
# ----------------------------------------
# ``skvae.text.term_indices`` turns the seed terms into the vectorizer's column
# indices, which is what ``seed_topics`` takes after a vectorizer.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer

from skvae import VAEEmbedder
from skvae.datasets import load_20newsgroups
from skvae.metrics import topic_coherence, topic_diversity
from skvae.text import term_indices, topic_terms

# The fits are capped at 60 epochs to keep the example quick; VAEEmbedder then
# warns that it has not converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

train, test = load_20newsgroups("train"), load_20newsgroups("test")
vectorizer = CountVectorizer(
    stop_words="english", min_df=5, max_df=0.5, max_features=2000
)
X = vectorizer.fit_transform(train.data)
X_test = vectorizer.transform(test.data)

seeds = [["space", "nasa", "launch"], ["gun", "guns", "firearms"], ["car", "cars"]]
seed_columns = term_indices(vectorizer, seeds)
names = vectorizer.get_feature_names_out()


def topic_model(**params):
    return VAEEmbedder(
        n_components=20, latent="topic", max_iter=60, random_state=0, **params
    )


unguided = topic_model().fit(X)
guided = topic_model(seed_topics=seed_columns).fit(X)

# %%
# The seeded topics
# -----------------
# Topics 0, 1 and 2 of the guided model are the seeded ones, in the order of
# ``seed_topics``. Each holds its seeds among its top terms, together with the
# words that go with them in the corpus.
guided_terms = topic_terms(guided, n_terms=10, feature_names=names)
for k, topic_seeds in enumerate(seeds):
    print(f"seeds {' '.join(topic_seeds):<22} -> {' '.join(guided_terms[k])}")

# %%
# What seeding costs the other topics
# -----------------------------------
# ``topic_coherence`` is the NPMI of each topic's top 10 terms from their
# co-occurrence in the test documents; ``topic_diversity`` the share of distinct
# terms among all topics' top 25. Here three of twenty topics are seeded, a large
# share of the model, and the mean NPMI falls by about 0.02; with 50 topics and five
# seed lists it does not fall (``benchmarks/bench_guided_topics.py``).
scores = {}
for name, model in [("unguided", unguided), ("guided", guided)]:
    per_topic = topic_coherence(model, X_test, per_topic=True)
    scores[name] = per_topic
    print(
        f"{name:>8}: mean NPMI {per_topic.mean():.3f}, "
        f"diversity {topic_diversity(model):.3f}"
    )

fig, ax = plt.subplots(figsize=(6, 3.5))
for offset, (name, per_topic) in zip((-0.2, 0.2), scores.items(), strict=True):
    ax.bar(np.arange(20) + offset, np.sort(per_topic)[::-1], width=0.4, label=name)
ax.set_xlabel("topic (sorted by coherence)")
ax.set_ylabel("NPMI of the top 10 terms")
ax.legend()
fig.tight_layout()
plt.show()
