"""Word vectors as one estimator: word contexts, PPMI and a VAE on the terms.

A term's context row (the PPMI of the words around its occurrences) is a
short document; the VAE embeds those rows.  Two views of a term come out of
the fitted model: the posterior mean of its row (what the encoder makes of
its contexts) and its decoder weights (how the latent dimensions predict it
as a context).  Their sum of unit vectors is word2vec's and GloVe's "word +
context" vector (Levy, Goldberg & Dagan, 2015), which beat either view alone
(docs/notes/2026-12-06-model-variants.md, "Word vectors from local contexts").
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._contexts import PPMITransformer, WordContexts
from ._embedder import VAEEmbedder, fitted_state

__all__ = ["WordEmbedder"]


def first_layer_weights(embedder: VAEEmbedder) -> np.ndarray:
    """The encoder's first-layer weights, one row per feature (the shared
    matrix with tied weights)."""
    weights = fitted_state(embedder).weights
    matrix = weights.get("embedding", weights.get("encoder.input_weight"))
    return np.ascontiguousarray(matrix)


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
        for name in ("vectors_", "terms_", "contexts_", "ppmi_", "vae_", "n_iter_"):
            self.__dict__.pop(name, None)
        contexts = clone(WordContexts() if self.contexts is None else self.contexts)
        if getattr(contexts, "bags", "term") != "term":
            raise ValueError(
                "WordEmbedder embeds one context row per term: contexts must "
                f"have bags='term', got bags={contexts.bags!r}."
            )
        counts = contexts.fit_transform(raw_documents)
        ppmi = PPMITransformer(smoothing=self.smoothing)
        rows = ppmi.fit_transform(counts)
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
        self.vectors_ = self._term_vectors(vae, rows)
        self.terms_ = contexts.get_feature_names_out()
        self.contexts_, self.ppmi_, self.vae_ = contexts, ppmi, vae
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
        return self.vae_.transform(self._counts(raw_documents))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # --------------------------------------------------------------- helpers

    def _term_vectors(self, vae: VAEEmbedder, rows) -> np.ndarray:
        if self.vectors == "encoder":
            return first_layer_weights(vae)
        decoder = np.ascontiguousarray(vae.components_.T)
        if self.vectors == "decoder":
            return decoder
        posterior = vae.transform(rows)
        if self.vectors == "posterior":
            return posterior
        return unit_rows(posterior) + unit_rows(decoder)

    def _counts(self, raw_documents):
        """Document-term counts with the fitted tokenisation and vocabulary."""
        contexts = self.contexts_
        vectorizer = contexts._vectorizer().set_params(vocabulary=contexts.vocabulary_)
        return vectorizer.fit_transform(raw_documents)
