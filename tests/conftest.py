import os

# sklearn's array-API check (numpy namespace) runs only when SciPy's array API
# support is on; it must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

# Tests fit tiny networks: one thread avoids OpenMP start-up and spinning costs
# that dominate at this size (and oversubscription next to loky workers).
torch.set_num_threads(1)

TOPIC_WORDS = [
    "ball goal team match player score coach league season win",
    "code python compile bug function class module test debug release",
    "rain cloud storm wind sunny forecast snow weather cold warm",
]


def small_vae(**params):
    """A VAEEmbedder small enough for unit tests; ``params`` override defaults.

    Test files bind their own defaults with ``functools.partial``.
    """
    from skvae import VAEEmbedder

    defaults = dict(
        n_components=2, hidden_layer_sizes=(16,), max_iter=5, random_state=0
    )
    return VAEEmbedder(**{**defaults, **params})


def record_calls(monkeypatch, owner, name: str) -> list:
    """Patch method ``name`` of ``owner`` to record each call's arguments."""
    calls = []
    original = getattr(owner, name)

    def spy(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def make_corpus(n_docs: int = 90, doc_length: int = 30, seed: int = 0):
    """Documents drawn from three disjoint-vocabulary topics, and their topic."""
    rng = np.random.RandomState(seed)
    vocabularies = [words.split() for words in TOPIC_WORDS]
    shared = ["the", "a", "of", "and", "to", "in", "is", "it"]
    docs, labels = [], []
    for i in range(n_docs):
        label = i % len(vocabularies)
        words = rng.choice(vocabularies[label], size=doc_length)
        noise = rng.choice(shared, size=doc_length // 3)
        docs.append(" ".join([*words, *noise]))
        labels.append(label)
    return docs, np.array(labels)


def make_text_corpus(
    n_docs: int = 400,
    n_topics: int = 4,
    words_per_topic: int = 100,
    doc_length: int = 30,
    seed: int = 0,
):
    """Documents over a vocabulary large enough to be sparse, like real text.

    Each topic has its own words, drawn with Zipf-like frequencies, and every
    document mixes a main topic (80% of its words) with a second one.
    """
    rng = np.random.RandomState(seed)
    vocabularies = [
        [f"t{topic}w{j}" for j in range(words_per_topic)] for topic in range(n_topics)
    ]
    weights = 1.0 / np.arange(1, words_per_topic + 1)
    weights /= weights.sum()
    docs, labels = [], []
    for i in range(n_docs):
        main, other = i % n_topics, rng.randint(n_topics)
        n_main = rng.binomial(doc_length, 0.8)
        words = [
            *rng.choice(vocabularies[main], size=n_main, p=weights),
            *rng.choice(vocabularies[other], size=doc_length - n_main, p=weights),
        ]
        docs.append(" ".join(words))
        labels.append(main)
    return docs, np.array(labels)


@pytest.fixture
def corpus():
    return make_corpus()


@pytest.fixture
def counts(corpus):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer().fit_transform(corpus[0])


def pytest_collection_modifyitems(config, items):
    """Skip the ``cuda``-marked tests where torch sees no GPU."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA: torch.cuda.is_available() is False")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)
