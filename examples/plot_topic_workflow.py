"""After the fit: shaping, explaining and tracking topics
======================================================

A topic model is only the start: this example fits topic mode on the 2016
tweets of Hillary Clinton and Donald Trump, then uses :mod:`skvae.topics` to
label the topics and find their typical tweets, see how they join up, reduce
them without refitting, follow them over the campaign with the uncertainty
the model's posterior gives, and map topics and tweets.
"""

# %%
# Fit a topic model
# -----------------
# Links are stripped before counting; bigrams let labels use phrases such as
# "crooked hillary".
import re
import tempfile
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder
from skvae import topics as T
from skvae.datasets import load_election_tweets

# Capped at 100 epochs to keep the example quick.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

tweets = load_election_tweets()
docs = [re.sub(r"https?://\S+|&amp;", " ", text) for text in tweets.data]
vectorizer = CountVectorizer(
    stop_words="english", min_df=5, max_df=0.5, ngram_range=(1, 2)
)
model = make_pipeline(
    vectorizer, VAEEmbedder(16, latent="topic", max_iter=100, random_state=0)
).fit(docs)
print(f"{len(docs)} tweets, {len(vectorizer.vocabulary_)} terms")

# %%
# Labels and typical tweets
# -------------------------
# A label joins a topic's top terms, phrases first; the representative tweets
# are those the topic dominates most.
labels = T.topic_labels(model, n_terms=3)
for topic, label in enumerate(labels):
    print(f"{topic:2d}  {label}")

typical = T.representative_documents(model, docs, n_docs=2)
for _, row in typical[typical["topic"] < 3].iterrows():
    print(f"topic {row.topic} ({row.proportion:.2f}): {row.text[:90]}")

# %%
# How the topics join up
# ----------------------
# The linkage of the topics' term distributions (Jensen-Shannon distances):
# the closest topics join first.
fig = T.plot_topic_hierarchy(model)
plt.show()

# %%
# Fewer topics without refitting
# ------------------------------
# ``reduce_topics`` cuts that tree into 10 groups and merges each into one
# topic. The result is still a topic model: it transforms, scores and has
# ``components_``, so perplexity and coherence stay defined.
reduced = T.reduce_topics(model, 10, docs)
counts = vectorizer.transform(docs)
print("groups of the original topics:", reduced[-1].groups_)
print(f"perplexity: 16 topics {model[-1].perplexity(counts):.0f}, "
      f"10 merged {reduced[-1].perplexity(counts):.0f}")  # fmt: skip
for topic, label in enumerate(T.topic_labels(reduced, n_terms=4)):
    print(f"{topic}  {label}")

# %%
# Topics over the campaign
# ------------------------
# Monthly prevalence of the topics that vary most. The bands are 90%
# intervals from the posterior of each tweet's topic proportions and a
# bootstrap of the month's tweets: months with few tweets get wide bands.
months = np.arange("2016-01", "2016-11", dtype="datetime64[M]")
frame = T.topics_over_time(reduced, docs, tweets.timestamps, bins=months)
print(frame.groupby("bin")["n_documents"].first().tolist(), "tweets a month")
fig = T.plot_topics_over_time(frame, labels=T.topic_labels(reduced, n_terms=3))
plt.show()

# %%
# Maps of the topics and the tweets
# ---------------------------------
# The intertopic distance map places similar topics close together (circle
# area: prevalence); the document map lays the tweets out by their topic
# proportions, coloured here by author.
fig = T.plot_intertopic_map(model, docs)
plt.show()

fig = T.plot_document_map(
    model, docs, labels=tweets.target, label_names=tweets.target_names
)
plt.show()

# %%
# The interactive view
# --------------------
# ``to_pyldavis`` prepares pyLDAvis's intertopic map and term-relevance bars
# (``pip install 'skvae[pyldavis]'``); in a notebook, ``pyLDAvis.display``
# shows it.
try:
    import pyLDAvis
except ImportError:
    pyLDAvis = None
if pyLDAvis is not None:
    prepared = T.to_pyldavis(model, docs)
    with tempfile.NamedTemporaryFile(suffix=".html", delete=False) as page:
        pyLDAvis.save_html(prepared, page.name)
    print("wrote", page.name)
