"""Word-context matrices: the input of word vectors learned from local windows.

:class:`WordContexts` tokenises documents with scikit-learn's CountVectorizer
machinery, then counts, with numpy and scipy, which terms occur within a
window around every token.  All neighbours at one distance are found at once
by comparing the document of every position with that of the position ``d``
further on; the bags of the positions of a term are then summed by a sparse
product.  No Python code runs per token or per pair.
"""

from __future__ import annotations

from itertools import chain, repeat
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

__all__ = ["WordContexts"]

# The tokenisation and vocabulary options, passed to a CountVectorizer as is.
_VECTORIZER_PARAMS = (
    "strip_accents",
    "lowercase",
    "preprocessor",
    "tokenizer",
    "stop_words",
    "token_pattern",
    "analyzer",
    "min_df",
    "max_df",
    "max_features",
    "vocabulary",
)


def _as_is(tokens):
    """The analyzer of already tokenised documents."""
    return tokens


def _distance_weights(weighting: str, window: int) -> np.ndarray:
    """Weight of a context word at distance 1, 2, ..., window."""
    distance = np.arange(1, window + 1, dtype=np.float64)
    if weighting == "linear":
        return (window - distance + 1) / window
    if weighting == "harmonic":
        return 1.0 / distance
    return np.ones(window)


class WordContexts(TransformerMixin, BaseEstimator):
    """Count the words around every word: a sparse word-context matrix.

    Documents are tokenised and the vocabulary is chosen as by
    :class:`~sklearn.feature_extraction.text.CountVectorizer` (the parameters
    of the same names mean the same thing).  Tokens outside the vocabulary
    (stop words, and terms cut by ``min_df``, ``max_df`` or ``max_features``)
    are dropped before the windows are formed, so a window spans them, as in
    word2vec, which drops rare words first.  Windows never cross documents.

    With ``bags="term"`` the output has one row per term: row i counts the
    terms seen within ``window`` tokens of any occurrence of term i in the
    documents, the co-occurrence matrix that PPMI-SVD factorises.  With
    ``bags="position"`` it has one row per (sampled) token position: the bag
    of the words around that position, its own word excluded, the input of a
    CBOW-style model.  Either matrix can be embedded by
    :class:`~skvae.VAEEmbedder`; the decoder weights (see
    :func:`skvae.text.term_vectors`), or with ``bags="term"`` the posterior
    means of the rows, are then word vectors.

    Parameters
    ----------
    window : int, default=5
        Number of words on each side of a position that form its context.

    bags : {"term", "position"}, default="term"
        What a row holds.

        - ``"term"``: one row per term, shape (n_terms, n_terms); entry (i, j)
          sums the weights of the occurrences of term j within the window
          around every occurrence of term i.
        - ``"position"``: one row per sampled token position, in document
          order, shape (n_positions, n_terms): the weighted bag of the words
          within the window around it.  A position alone in its document gets
          an empty row.

    window_weighting : {"uniform", "linear", "harmonic"}, default="uniform"
        Weight of a context word at distance d from the centre.

        - ``"uniform"``: 1, so that the output holds counts.
        - ``"linear"``: ``(window - d + 1) / window``, the expected weight
          under word2vec's dynamic window (a window size drawn uniformly from
          1 to ``window`` for each position).
        - ``"harmonic"``: ``1 / d``, as in GloVe.

        Weighted windows give non-integer values: fit VAEEmbedder on them with
        ``likelihood="multinomial"`` (``"auto"`` would choose the Gaussian).

    subsample : float, default=None
        word2vec's subsampling of frequent words: a token of a term with
        relative frequency f (among the tokens of the documents seen by
        :meth:`fit`) is kept with probability ``min(1, sqrt(t / f) + t / f)``
        for ``t = subsample`` (e.g. 1e-4 or 1e-5), and dropped before the
        windows are formed, so that windows reach further.  None keeps every
        token.

    position_rate : float, default=1.0
        Share of the token positions used as centres, each kept independently
        with this probability: with ``bags="position"``, the expected share of
        the rows; with ``bags="term"``, only the sampled positions add their
        contexts (their neighbours still count as context words).

    strip_accents : {"ascii", "unicode"} or callable, default=None
        As in CountVectorizer.

    lowercase : bool, default=True
        Convert all characters to lowercase before tokenising.

    preprocessor : callable, default=None
        As in CountVectorizer.

    tokenizer : callable, default=None
        As in CountVectorizer (set ``token_pattern=None`` with it).

    stop_words : {"english"}, list, default=None
        Words dropped from the documents before the windows are formed.

    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token, as in CountVectorizer.

    analyzer : "word" or callable, default="word"
        ``"word"`` tokenises with the options above; a callable maps a
        document to its sequence of tokens (e.g. ``lambda tokens: tokens``
        for documents that are already lists of tokens).

    min_df : float in [0.0, 1.0] or int, default=1
        Ignore terms that occur in fewer documents (a float: share of the
        documents), as in CountVectorizer.

    max_df : float in [0.0, 1.0] or int, default=1.0
        Ignore terms that occur in more documents, as in CountVectorizer.

    max_features : int, default=None
        Keep only the terms of largest count, as in CountVectorizer.

    vocabulary : Mapping or iterable, default=None
        A fixed vocabulary (term -> column, or an iterable of terms), e.g.
        ``CountVectorizer(...).fit(docs).vocabulary_``, so that the rows and
        columns match another model's features; ``min_df``, ``max_df`` and
        ``max_features`` are then ignored.

    random_state : int, RandomState instance or None, default=None
        Draws the subsampled tokens and the sampled positions in
        :meth:`transform` and :meth:`fit_transform`; an int gives the same
        sample on every call.  Unused when ``subsample=None`` and
        ``position_rate=1``.

    Attributes
    ----------
    vocabulary_ : dict
        Mapping from term to column (and, with ``bags="term"``, row) index.

    term_counts_ : ndarray of shape (n_terms,)
        Number of occurrences of each term in the documents seen by
        :meth:`fit`; ``term_counts_ / term_counts_.sum()`` are the relative
        frequencies that ``subsample`` uses.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Document-term counts.
    skvae.VAEEmbedder : Embeds the rows of the context matrix.
    skvae.text.term_vectors : Word vectors of a fitted pipeline.

    Notes
    -----
    With the defaults, the matrix is symmetric: every pair of tokens at
    distance d <= window is counted once in each direction.

    The defaults were chosen with ``benchmarks/bench_contexts.py`` (PPMI-SVD
    word vectors scored on WordSim353 and SimLex-999): distance weighting
    made no difference, so ``"uniform"`` keeps integer counts, and
    subsampling gave no consistent gain, so the default keeps every token
    and the output does not depend on ``random_state``
    (``benchmarks/results/contexts.md``).

    References
    ----------
    Levy, O., Goldberg, Y. and Dagan, I. (2015). Improving Distributional
    Similarity with Lessons Learned from Word Embeddings. TACL 3.

    Mikolov, T., Sutskever, I., Chen, K., Corrado, G. and Dean, J. (2013).
    Distributed Representations of Words and Phrases and their
    Compositionality. NeurIPS.

    Examples
    --------
    >>> from skvae.text import WordContexts
    >>> docs = ["the cat sat on the mat", "the dog sat"]
    >>> contexts = WordContexts(window=1, stop_words=["the"])
    >>> C = contexts.fit_transform(docs)
    >>> contexts.get_feature_names_out()
    array(['cat', 'dog', 'mat', 'on', 'sat'], dtype=object)
    >>> C.toarray()
    array([[0., 0., 0., 0., 1.],
           [0., 0., 0., 0., 1.],
           [0., 0., 0., 1., 0.],
           [0., 0., 1., 0., 1.],
           [1., 1., 0., 1., 0.]])
    >>> WordContexts(window=1, bags="position").fit_transform(["a cat sat"]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "bags": [StrOptions({"term", "position"})],
        "window_weighting": [StrOptions({"uniform", "linear", "harmonic"})],
        "subsample": [Interval(Real, 0, None, closed="neither"), None],
        "position_rate": [Interval(Real, 0, 1, closed="right")],
        **{
            name: CountVectorizer._parameter_constraints[name]
            for name in _VECTORIZER_PARAMS
            if name != "analyzer"
        },
        "analyzer": [StrOptions({"word"}), callable],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        window=5,
        *,
        bags="term",
        window_weighting="uniform",
        subsample=None,
        position_rate=1.0,
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=r"(?u)\b\w\w+\b",
        analyzer="word",
        min_df=1,
        max_df=1.0,
        max_features=None,
        vocabulary=None,
        random_state=None,
    ):
        self.window = window
        self.bags = bags
        self.window_weighting = window_weighting
        self.subsample = subsample
        self.position_rate = position_rate
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.analyzer = analyzer
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.random_state = random_state

    # ------------------------------------------------------------ public API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents, y=None):
        """Learn the vocabulary and the term counts of the documents.

        Parameters
        ----------
        raw_documents : iterable of str
            The documents (or, with a callable ``analyzer``, whatever it
            takes).

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.

        Raises
        ------
        ValueError
            If a parameter is invalid, ``raw_documents`` is a single string,
            or no term is left after pruning (as in CountVectorizer).
        """
        self._fit_tokens(self._tokenize(raw_documents))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and return the context matrix of the documents.

        Equivalent to ``fit(raw_documents).transform(raw_documents)`` (with an
        int ``random_state``), but tokenises the documents only once.

        Parameters
        ----------
        raw_documents : iterable of str
            The documents.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        contexts : sparse matrix of shape (n_terms, n_terms) or \
                (n_positions, n_terms)
            The context matrix, in CSR format (see ``bags``).
        """
        tokens = self._tokenize(raw_documents)
        self._fit_tokens(tokens)
        return self._contexts(tokens)

    def transform(self, raw_documents):
        """Return the context matrix of the documents, with the fitted vocabulary.

        Parameters
        ----------
        raw_documents : iterable of str
            The documents.

        Returns
        -------
        contexts : sparse matrix of shape (n_terms, n_terms) or \
                (n_positions, n_terms)
            The context matrix, in CSR format (see ``bags``).  With
            ``bags="term"``, row i holds the contexts of term i in these
            documents (an empty row for a term that does not occur).

        Raises
        ------
        NotFittedError
            If the transformer is not fitted.
        ValueError
            If ``raw_documents`` is a single string.
        """
        check_is_fitted(self)
        return self._contexts(self._tokenize(raw_documents))

    def get_feature_names_out(self, input_features=None):
        """The terms, in the order of the columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Not used, present for API consistency by convention.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The vocabulary; with ``bags="term"`` it also names the rows.
        """
        check_is_fitted(self)
        terms = np.empty(len(self.vocabulary_), dtype=object)
        for term, index in self.vocabulary_.items():
            terms[index] = term
        return terms

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # --------------------------------------------------------------- helpers

    def _vectorizer(self) -> CountVectorizer:
        return CountVectorizer(
            **{name: getattr(self, name) for name in _VECTORIZER_PARAMS}
        )

    def _tokenize(self, raw_documents) -> list:
        """Every document as its list of tokens (before vocabulary pruning)."""
        if isinstance(raw_documents, str):
            raise ValueError(
                "Iterable over raw text documents expected, string object received."
            )
        analyze = self._vectorizer().build_analyzer()
        return [analyze(doc) for doc in raw_documents]

    def _fit_tokens(self, tokens: list) -> None:
        # CountVectorizer on the token lists applies min_df / max_df /
        # max_features (or checks a fixed vocabulary) exactly as on raw text.
        vectorizer = self._vectorizer().set_params(
            analyzer=_as_is,
            strip_accents=None,
            lowercase=False,
            preprocessor=None,
            tokenizer=None,
            stop_words=None,
            token_pattern=r"(?u)\b\w\w+\b",  # CountVectorizer's default: no warning
        )
        counts = vectorizer.fit_transform(tokens)
        self.vocabulary_ = dict(vectorizer.vocabulary_)
        self.term_counts_ = np.asarray(counts.sum(axis=0), dtype=np.int64).ravel()

    def _term_ids(self, tokens: list) -> tuple[np.ndarray, np.ndarray]:
        """Term index of every in-vocabulary token, and the document of each."""
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter(
            map(self.vocabulary_.get, chain.from_iterable(tokens), repeat(-1)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        documents = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
        known = ids >= 0
        return ids[known], documents[known]

    def _contexts(self, tokens: list) -> sp.csr_matrix:
        ids, documents = self._term_ids(tokens)
        random_state = check_random_state(self.random_state)
        if self.subsample is not None:
            kept = random_state.random_sample(ids.size) < self._keep_probability(ids)
            ids, documents = ids[kept], documents[kept]
        if self.position_rate < 1:
            centers = random_state.random_sample(ids.size) < self.position_rate
        elif self.bags == "term":
            return self._all_term_contexts(ids, documents)
        else:
            centers = slice(None)
        bags = self._position_bags(ids, documents, centers)
        if self.bags == "position":
            bags.sum_duplicates()
            return bags
        # Row i of the term matrix sums the bags of the positions of term i:
        # a sparse product with the one-hot matrix of the centres' terms,
        # whose accumulator sums the pairs without sorting them.
        center_ids = ids[centers]
        one_hot = sp.csr_matrix(
            (
                np.ones(center_ids.size),
                center_ids,
                np.arange(center_ids.size + 1),
            ),
            shape=(center_ids.size, len(self.vocabulary_)),
        )
        matrix = (one_hot.T @ bags).tocsr()
        matrix.sort_indices()
        return matrix

    def _all_term_contexts(self, ids, documents) -> sp.csr_matrix:
        """The term matrix when every position is a centre: symmetric.

        Each pair of tokens at distance d <= window counts once in each
        direction, so the pairs (earlier, later) are summed once, by the COO
        to CSR conversion, and the matrix is that plus its transpose: several
        times faster than summing the positions' bags.
        """
        weights = _distance_weights(self.window_weighting, self.window)
        # int32 indices: scipy's conversion is several times faster than with
        # int64 ones, and a vocabulary has far fewer than 2**31 terms.
        ids = ids.astype(np.int32)
        rows, columns, values = [], [], []
        for distance in range(1, self.window + 1):
            same = np.flatnonzero(documents[:-distance] == documents[distance:])
            rows.append(ids[same])
            columns.append(ids[same + distance])
            values.append(np.full(same.size, weights[distance - 1]))
        n_terms = len(self.vocabulary_)
        later = sp.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
            shape=(n_terms, n_terms),
        ).tocsr()
        matrix = (later + later.T).tocsr()
        matrix.sort_indices()
        return matrix

    def _position_bags(self, ids, documents, centers) -> sp.csr_matrix:
        """The weighted context words of each centre, one row per centre.

        Columns ``window - d`` and ``window + d - 1`` of ``neighbours`` hold
        the terms d positions before and after each position, or -1 past the
        document's ends.  A term seen twice in a window appears twice in its
        row: duplicate entries, summed by ``sum_duplicates`` or a product.
        """
        window = self.window
        weights = _distance_weights(self.window_weighting, window)
        neighbours = np.full((ids.size, 2 * window), -1, dtype=np.int32)
        for distance in range(1, window + 1):
            # Positions p whose word at p + distance is in the same document.
            same = np.flatnonzero(documents[:-distance] == documents[distance:])
            neighbours[same, window + distance - 1] = ids[same + distance]
            neighbours[same + distance, window - distance] = ids[same]
        neighbours = neighbours[centers]
        present = neighbours >= 0
        column_weights = np.concatenate([weights[::-1], weights])
        indptr = np.zeros(neighbours.shape[0] + 1, dtype=np.int64)
        np.cumsum(present.sum(axis=1), out=indptr[1:])
        return sp.csr_matrix(
            (
                np.broadcast_to(column_weights, neighbours.shape)[present],
                neighbours[present],
                indptr,
            ),
            shape=(neighbours.shape[0], len(self.vocabulary_)),
        )

    def _keep_probability(self, ids: np.ndarray) -> np.ndarray:
        """word2vec's probability of keeping each token when subsampling."""
        total = self.term_counts_.sum()
        frequency = self.term_counts_[ids] / max(total, 1)
        with np.errstate(divide="ignore"):
            ratio = self.subsample / frequency  # inf for a term unseen in fit
        return np.minimum(1.0, np.sqrt(ratio) + ratio)


class PPMITransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Positive pointwise mutual information of a word-context count matrix.

    ``PPMI(w, c) = max(0, log(P(w, c) / (P(w) P_s(c))))``, with the context
    distribution smoothed, ``P_s(c) = n(c)**s / sum_c' n(c')**s`` (Levy,
    Goldberg & Dagan, 2015); pairs never seen stay 0, so the output keeps the
    input's sparsity.  Like :class:`~sklearn.feature_extraction.text.TfidfTransformer`
    after CountVectorizer, it goes after :class:`WordContexts` (``bags="term"``)
    in a Pipeline; its output is a matrix of soft counts for
    :class:`~skvae.VAEEmbedder`'s multinomial likelihood.

    Parameters
    ----------
    smoothing : float, default=0.75
        The exponent s of the context distribution; 1 is plain PMI.

    Attributes
    ----------
    context_probability_ : ndarray of shape (n_features,)
        P_s(c), from the matrix given to :meth:`fit`.

    n_features_in_ : int
        Number of contexts (columns) seen during fit.

    References
    ----------
    Levy, O., Goldberg, Y. and Dagan, I. (2015). Improving Distributional
    Similarity with Lessons Learned from Word Embeddings. TACL 3.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.text import PPMITransformer
    >>> counts = np.array([[0, 4, 1], [4, 0, 1], [1, 1, 0]])
    >>> ppmi = PPMITransformer(smoothing=1.0).fit_transform(counts)
    >>> ppmi.toarray().round(2)
    array([[0.  , 0.65, 0.18],
           [0.65, 0.  , 0.18],
           [0.18, 0.18, 0.  ]])
    """

    _parameter_constraints: dict = {
        "smoothing": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, smoothing=0.75):
        self.smoothing = smoothing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the smoothed context distribution of co-occurrence counts X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_words, n_contexts)
            Non-negative co-occurrence counts (or weights).

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = self._check(X, reset=True)
        smoothed = np.asarray(X.sum(axis=0)).ravel() ** self.smoothing
        total = smoothed.sum()
        self.context_probability_ = smoothed / total if total > 0 else smoothed
        return self

    def transform(self, X):
        """PPMI of co-occurrence counts X, as a CSR matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_words, n_contexts)
            Non-negative co-occurrence counts.

        Returns
        -------
        ppmi : sparse matrix of shape (n_words, n_contexts)
            The positive PMI of every stored pair; float64.
        """
        check_is_fitted(self)
        X = self._check(X, reset=False)
        total = X.sum()
        if total == 0:
            return X.copy()
        p_word = np.asarray(X.sum(axis=1)).ravel() / total
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        with np.errstate(divide="ignore"):
            pmi = (
                np.log(X.data / total)
                - np.log(p_word[rows])
                - np.log(self.context_probability_[X.indices])
            )
        result = sp.csr_matrix(
            (np.maximum(np.nan_to_num(pmi, neginf=0.0), 0.0), X.indices, X.indptr),
            shape=X.shape,
        )
        result.eliminate_zeros()
        return result

    def _check(self, X, *, reset: bool) -> sp.csr_matrix:
        X = validate_data(
            self, X, reset=reset, accept_sparse="csr", dtype=np.float64, copy=True
        )
        X = sp.csr_matrix(X)
        check_non_negative(X, "PPMITransformer")
        X.eliminate_zeros()
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        return tags
