"""Word vectors as one estimator: word contexts, PPMI and a VAE on the terms.

A term's context row (the PPMI of the words around its occurrences) is a
short document; the VAE embeds those rows.  Two views of a term come out of
the fitted model: the posterior mean of its row (what the encoder makes of
its contexts) and its decoder weights (how the latent dimensions predict it
as a context).  Their sum of unit vectors is word2vec's and GloVe's "word +
context" vector (Levy, Goldberg & Dagan, 2015), which beat either view alone
(docs/notes/2026-12-06-model-variants.md, "Word vectors from local contexts").

Words outside the vocabulary (unseen, or pruned by the vocabulary's
frequency threshold) get vectors from their spelling, as fastText's do: the
mean of their character n-grams' vectors, each n-gram's vector the mean of
the vectors of the vocabulary's terms that contain it.

With ``spelling > 0`` the spelling also enters the model: each term's row
holds its character n-grams next to its contexts, so the VAE explains both
with one latent space, and terms that share affixes share directions in it
(the offsets of "walk : walked :: jump : jumped"); see
docs/notes/2026-12-07-word-offsets.md.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._contexts import PPMITransformer, WordContexts
from ._embedder import VAEEmbedder, fitted_state

__all__ = ["WordEmbedder"]

#: Character n-grams of the spelling rows: fastText's lengths, and the
#: n-grams that the most terms hold.
SPELLING_NGRAMS = (3, 6)
SPELLING_FEATURES = 5000


def feature_weights(
    embedder: VAEEmbedder, source: str, n_terms: int | None = None
) -> np.ndarray:
    """One row per feature: its first-layer encoder weights
    (``source="encoder"``; the shared matrix with tied weights) or its
    decoder weights (``"decoder"``), for the first ``n_terms`` features only
    if given: a WordEmbedder's terms come before the n-gram features of its
    spelling."""
    if source == "encoder":
        weights = fitted_state(embedder).weights
        matrix = weights.get("embedding", weights.get("encoder.input_weight"))
        return np.ascontiguousarray(matrix[:n_terms])
    return np.ascontiguousarray(embedder.components_[:, :n_terms].T)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The vectors, as float64, scaled to unit length (zero vectors stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class WordEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Word vectors learned by a VAE from the words around every word.

    :meth:`fit` counts the context words of every term in the documents
    (:class:`WordContexts`, ``bags="term"``), weighs the counts by positive
    PMI (:class:`PPMITransformer`) and embeds the terms' rows with a
    :class:`~skvae.VAEEmbedder`.  ``vectors_`` holds one vector per term,
    ready for :func:`nearest_terms`, :func:`analogy`,
    :func:`to_keyed_vectors` and :func:`save_word2vec_format`;
    :meth:`transform` embeds whole documents with the same VAE.

    The VAE trains on the exact multinomial likelihood of the PPMI rows (soft
    counts), with word dropout and the stopping rules of VAEEmbedder;
    ``vae_.score`` and ``vae_.perplexity`` of the PPMI rows are exact.

    Parameters
    ----------
    n_components : int, default=100
        Dimension of the word vectors and of the document embeddings.

    contexts : WordContexts, default=None
        How contexts are counted: window, weighting, subsampling, tokenisation
        and vocabulary.  None means ``WordContexts(window=5)``.  It is cloned;
        it must count ``bags="term"``.

    smoothing : float, default=0.75
        Exponent of the context distribution in the PPMI
        (:class:`PPMITransformer`); 1 is plain PMI.

    vectors : {"sum", "posterior", "decoder", "encoder"}, default="sum"
        Which vectors ``vectors_`` holds.

        - ``"sum"``: the unit-length posterior mean of the term's context row
          plus its unit-length decoder weights.
        - ``"posterior"``: the posterior mean of the term's context row.
        - ``"decoder"``: the decoder weights of the term,
          :func:`term_vectors` of ``vae_``.
        - ``"encoder"``: the term's first-layer encoder weights (width
          ``hidden_layer_sizes[0]``).

    hidden_layer_sizes : array-like of int, default=(256,)
        The encoder's hidden layers (VAEEmbedder's parameter).

    batch_size : int, default=512
        Terms per training step.

    spelling : float, default=0.0
        Weight of the terms' spelling in the rows the VAE embeds.  Above 0,
        each term's PPMI context row is followed by its character n-grams
        (of the padded term, lengths 3 to 6, the 5,000 n-grams most terms
        hold), scaled to hold ``spelling`` times the row's PPMI mass; the
        VAE reconstructs both, so the spelling shapes the latent space.  It
        buys analogy offsets (plurals, tenses) at some cost
        in word similarity; docs/notes/2026-12-07-word-offsets.md has the
        trade.  0 embeds the context rows alone.

    subwords : tuple of (int, int) or None, default=(3, 6)
        Lengths of the character n-grams (of the word padded with a space on
        each side, fastText's range by default) from which
        :meth:`word_vectors` predicts a vector for a word outside the
        vocabulary; None fits no subword model.

    max_iter : int, default=12
        Largest number of epochs; the VAE's stopping rules may end sooner.

    device : str or torch.device, default="cpu"
        Where the VAE trains (VAEEmbedder's parameter).

    random_state : int, RandomState instance or None, default=None
        Seeds the VAE (and the context sampling, if ``contexts`` subsamples
        and has no ``random_state`` of its own).

    verbose : int, default=0
        VAEEmbedder's progress output.

    Attributes
    ----------
    vectors_ : ndarray of shape (n_terms, dim)
        One vector per term, rows in the order of ``terms_``; ``dim`` is
        ``n_components`` (``hidden_layer_sizes[0]`` for ``"encoder"``).

    terms_ : ndarray of str objects, shape (n_terms,)
        The vocabulary, in the order of the rows of ``vectors_``.

    contexts_ : WordContexts
        The fitted context counter.

    ppmi_ : PPMITransformer
        The fitted PPMI weighting.

    vae_ : VAEEmbedder
        The fitted VAE on the PPMI rows.

    n_iter_ : int
        Epochs the VAE trained.

    spelling_ : CountVectorizer or None
        The spelling rows' n-gram vocabulary (None with ``spelling=0``).

    subwords_ : SubwordVectors or None
        The subword model: which hashed character n-grams each of ``terms_``
        holds, to spell out vectors of other words from ``vectors_``.

    See Also
    --------
    WordContexts : The context matrix, to build other models on.
    skvae.VAEEmbedder : The VAE, for documents.
    nearest_terms : The terms closest to a term.

    Notes
    -----
    The defaults (epochs, batch size, encoder width) were chosen with
    ``benchmarks/bench_word_vectors.py`` on WordSim353 and SimLex-999; the
    variants tried are in the variant log,
    docs/notes/2026-12-06-model-variants.md, "Word vectors from local
    contexts".

    References
    ----------
    Levy, O., Goldberg, Y. and Dagan, I. (2015). Improving Distributional
    Similarity with Lessons Learned from Word Embeddings. TACL 3.

    Examples
    --------
    >>> from skvae.text import WordContexts, WordEmbedder, nearest_terms
    >>> docs = ["the cat sat on the mat", "the dog sat on the rug",
    ...         "a cat and a dog", "the mat and the rug"] * 10
    >>> words = WordEmbedder(
    ...     4, contexts=WordContexts(window=2), batch_size=4, max_iter=3,
    ...     random_state=0,
    ... ).fit(docs)
    >>> words.vectors_.shape
    (8, 4)
    >>> len(nearest_terms(words, "cat", n_terms=3))
    3
    >>> words.transform(["the cat sat"]).shape  # document embeddings
    (1, 4)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "contexts": [None, HasMethods(["fit_transform", "get_feature_names_out"])],
        "smoothing": [Interval(Real, 0, None, closed="neither")],
        "vectors": [StrOptions({"sum", "posterior", "decoder", "encoder"})],
        "hidden_layer_sizes": VAEEmbedder._parameter_constraints["hidden_layer_sizes"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "spelling": [Interval(Real, 0, None, closed="left")],
        "subwords": [None, tuple],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "device": VAEEmbedder._parameter_constraints["device"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=100,
        *,
        contexts=None,
        smoothing=0.75,
        vectors="sum",
        hidden_layer_sizes=(256,),
        batch_size=512,
        spelling=0.0,
        subwords=(3, 6),
        max_iter=12,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.contexts = contexts
        self.smoothing = smoothing
        self.vectors = vectors
        self.hidden_layer_sizes = hidden_layer_sizes
        self.batch_size = batch_size
        self.spelling = spelling
        self.subwords = subwords
        self.max_iter = max_iter
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, raw_documents, y=None):
        """Count the documents' word contexts and learn a vector per term.

        Parameters
        ----------
        raw_documents : iterable of str
            The documents (or what ``contexts``'s analyzer takes).

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted estimator.

        Raises
        ------
        ValueError
            If a parameter is invalid, ``contexts`` does not count
            ``bags="term"``, or no term is left after pruning.
        """
        # A failed fit leaves no fitted attribute behind (nor those of an
        # earlier fit mixed with new ones).
        fitted = (
            "vectors_",
            "terms_",
            "contexts_",
            "ppmi_",
            "vae_",
            "n_iter_",
            "spelling_",
        )
        for name in (*fitted, "subwords_"):
            self.__dict__.pop(name, None)
        ngram_range = self._check_subwords()
        contexts = clone(WordContexts() if self.contexts is None else self.contexts)
        if getattr(contexts, "bags", "term") != "term":
            raise ValueError(
                "WordEmbedder embeds one context row per term: contexts must "
                f"have bags='term', got bags={contexts.bags!r}."
            )
        counts = contexts.fit_transform(raw_documents)
        ppmi = PPMITransformer(smoothing=self.smoothing)
        rows = ppmi.fit_transform(counts)
        terms = contexts.get_feature_names_out()
        spelling = ngrams = None
        if self.spelling > 0:
            spelling = CountVectorizer(
                analyzer="char_wb",
                ngram_range=SPELLING_NGRAMS,
                max_features=SPELLING_FEATURES,
                binary=True,
                dtype=np.float64,
            )
            ngrams = spelling.fit_transform(terms)
        rows = self._model_rows(rows, ngrams)
        vae = VAEEmbedder(
            self.n_components,
            likelihood="multinomial",
            hidden_layer_sizes=self.hidden_layer_sizes,
            batch_size=self.batch_size,
            max_iter=self.max_iter,
            device=self.device,
            random_state=self.random_state,
            verbose=self.verbose,
        )
        with warnings.catch_warnings():
            # max_iter is the budget measured to give the best vectors per
            # second (the variant log in docs/notes/), not a failure to converge.
            warnings.simplefilter("ignore", ConvergenceWarning)
            vae.fit(rows)
        vectors = self._term_vectors(vae, rows, len(terms))
        subwords = None
        if ngram_range is not None:
            subwords = SubwordVectors(ngram_range).fit(terms)
        self.vectors_, self.terms_, self.subwords_ = vectors, terms, subwords
        self.contexts_, self.ppmi_, self.vae_ = contexts, ppmi, vae
        self.spelling_ = spelling
        self.n_iter_ = vae.n_iter_
        self._n_features_out = vae.n_components_
        return self

    def transform(self, raw_documents):
        """Embed whole documents: the VAE's posterior means of their term counts.

        Parameters
        ----------
        raw_documents : iterable of str
            The documents.

        Returns
        -------
        embeddings : ndarray of shape (n_documents, n_components)
            One row per document.
        """
        check_is_fitted(self)
        counts = self._counts(raw_documents)
        if self.spelling_ is not None:
            # A document spells nothing: its spelling columns stay empty.
            n_ngrams = len(self.spelling_.vocabulary_)
            empty = sp.csr_matrix((counts.shape[0], n_ngrams), dtype=counts.dtype)
            counts = sp.hstack([counts, empty]).tocsr()
        return self.vae_.transform(counts)

    def word_vectors(self, words) -> np.ndarray:
        """Vectors of any words: their rows of ``vectors_``, or for a word
        outside the vocabulary the subword model's vector from its character
        n-grams (:class:`SubwordVectors`), scaled to the mean length of
        ``vectors_``'s rows (the zero vector if no known term shares an
        n-gram with it).

        Parameters
        ----------
        words : iterable of str
            The words.

        Returns
        -------
        vectors : ndarray of shape (n_words, dim)
            One vector per word, in order.

        Raises
        ------
        ValueError
            If a word is outside the vocabulary and ``subwords=None``.

        Examples
        --------
        >>> from skvae.text import WordContexts, WordEmbedder
        >>> docs = ["the cats sat on the mat", "the dogs sat on the rug"] * 10
        >>> words = WordEmbedder(
        ...     4, contexts=WordContexts(window=2), batch_size=4, max_iter=2,
        ...     random_state=0,
        ... ).fit(docs)
        >>> words.word_vectors(["cats", "cat"]).shape  # "cat" is unseen
        (2, 4)
        """
        check_is_fitted(self)
        words = [str(word) for word in words]
        index = {term: row for row, term in enumerate(self.terms_)}
        vectors = np.empty((len(words), self.vectors_.shape[1]))
        unseen = [k for k, word in enumerate(words) if word not in index]
        if unseen and self.subwords_ is None:
            raise ValueError(
                f"{words[unseen[0]]!r} is not in the vocabulary and this "
                "WordEmbedder has no subword model (subwords=None)."
            )
        for k, word in enumerate(words):
            if word in index:
                vectors[k] = self.vectors_[index[word]]
        if unseen:
            spelled = [words[k] for k in unseen]
            predicted = unit_rows(self.subwords_.predict(spelled, self.vectors_))
            scale = np.linalg.norm(self.vectors_, axis=1).mean()
            vectors[unseen] = predicted * scale
        return vectors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # --------------------------------------------------------------- helpers

    def _check_subwords(self) -> tuple[int, int] | None:
        if self.subwords is None:
            return None
        valid = len(self.subwords) == 2 and all(
            isinstance(n, Integral) and n >= 1 for n in self.subwords
        )
        if not valid or self.subwords[0] > self.subwords[1]:
            raise ValueError(
                "subwords must be None or a pair (min_n, max_n) of n-gram "
                f"lengths with 1 <= min_n <= max_n, got {self.subwords!r}."
            )
        return (int(self.subwords[0]), int(self.subwords[1]))

    def _model_rows(self, rows, ngrams):
        """The rows the VAE embeds: the terms' PPMI rows, then (unless
        ``ngrams`` is None) the terms' n-gram rows, each scaled to
        ``spelling`` x its PPMI row's mass."""
        if ngrams is None:
            return rows
        n_ngrams = np.maximum(np.asarray(ngrams.sum(axis=1)).ravel(), 1)
        mass = np.asarray(rows.sum(axis=1)).ravel()
        scaled = sp.diags(self.spelling * mass / n_ngrams) @ ngrams
        return sp.hstack([rows, scaled]).tocsr()

    def _term_vectors(self, vae: VAEEmbedder, rows, n_terms: int) -> np.ndarray:
        if self.vectors in ("encoder", "decoder"):
            return feature_weights(vae, self.vectors, n_terms)
        posterior = vae.transform(rows)
        if self.vectors == "posterior":
            return posterior
        decoder = feature_weights(vae, "decoder", n_terms)
        return unit_rows(posterior) + unit_rows(decoder)

    def _counts(self, raw_documents):
        """Document-term counts with the fitted tokenisation and vocabulary."""
        contexts = self.contexts_
        vectorizer = contexts._vectorizer().set_params(vocabulary=contexts.vocabulary_)
        return vectorizer.fit_transform(raw_documents)


class SubwordVectors:
    """Vectors of words spelled out from the vectors of known terms.

    A character n-gram's vector is the mean of the unit vectors of the known
    terms that contain it, and a word's vector the mean of its n-grams'
    (fastText's sum of n-gram vectors, with the n-gram vectors read off the
    term vectors instead of trained).  N-grams are those of ``char_wb``: the
    word padded with a space on either side, so that n-grams at its edges
    (prefixes, suffixes) differ from those inside it, as fastText's ``<``
    and ``>`` make them; they are hashed into 2**20 buckets.  Only which
    n-grams each term holds is kept: the term vectors are passed to
    :meth:`predict`.
    """

    def __init__(self, ngram_range: tuple[int, int]):
        self.ngram_range = ngram_range

    def _ngrams(self, words):
        hasher = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            n_features=2**20,
            alternate_sign=False,
            lowercase=False,
            binary=True,
            norm=None,
            dtype=np.float32,
        )
        return hasher.transform(words)

    def fit(self, terms) -> SubwordVectors:
        """Record the n-grams of the known ``terms``."""
        self.term_ngrams_ = self._ngrams(terms)
        self.n_terms_ = np.asarray(self.term_ngrams_.sum(axis=0)).ravel()
        return self

    def predict(self, words, term_vectors: np.ndarray) -> np.ndarray:
        """Vectors of ``words``, shape (n_words, dim), from the known terms'
        vectors (rows in the order of the fitted terms); a word none of whose
        n-grams a known term holds gets the zero vector."""
        ngrams = self._ngrams(words)
        n_terms = self.n_terms_[ngrams.indices]
        held = n_terms > 0
        row = np.repeat(np.arange(ngrams.shape[0]), np.diff(ngrams.indptr))
        n_held = np.bincount(row[held], minlength=ngrams.shape[0])
        # Word -> n-gram -> term: the mean over the word's n-grams of the
        # mean over the terms holding each.
        weights = np.zeros(ngrams.nnz)
        weights[held] = 1.0 / (n_terms[held] * n_held[row[held]])
        ngrams = sp.csr_matrix((weights, ngrams.indices, ngrams.indptr), ngrams.shape)
        to_terms = ngrams @ self.term_ngrams_.T
        return np.asarray(to_terms @ unit_rows(term_vectors))
