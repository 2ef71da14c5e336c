"""Topics and word vectors from a fitted VAEEmbedder or a text pipeline.

Each function takes a fitted :class:`~skvae.VAEEmbedder`, or a fitted Pipeline
that contains one after a vectorizer (the vocabulary then comes from the steps
before it, e.g. ``CountVectorizer.get_feature_names_out()``).  A bare
VAEEmbedder uses ``feature_names_in_`` when it was fitted on a DataFrame, or
the ``feature_names`` you pass.

The word-vector queries (:func:`nearest_terms`, :func:`analogy`) and exports
(:func:`to_keyed_vectors`, :func:`save_word2vec_format`) also take any word
vectors: gensim ``KeyedVectors``, or a ``(vectors, terms)`` pair such as the
posterior means of a context matrix and its terms.

:class:`WordEmbedder` learns word vectors from raw documents (word contexts,
PPMI, a VAE on the terms' rows); every function here takes it too.
:class:`WordContexts` and :class:`PPMITransformer` are its parts: the
word-context matrix from which any VAEEmbedder learns word vectors.
"""

from __future__ import annotations

import os

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._contexts import PPMITransformer, WordContexts
from ._embedder import VAEEmbedder
from ._word_embedder import WordEmbedder, feature_weights, unit_rows
from .metrics import _top_terms

__all__ = [
    "PPMITransformer",
    "WordContexts",
    "WordEmbedder",
    "analogy",
    "nearest_terms",
    "save_word2vec_format",
    "term_indices",
    "term_vectors",
    "to_keyed_vectors",
    "topic_terms",
    "vocabulary",
]


def _embedder_and_names(model, feature_names):
    if isinstance(model, WordEmbedder):
        check_is_fitted(model)
        if feature_names is not None:
            raise ValueError("A WordEmbedder has its own terms: drop feature_names.")
        return model.vae_, model.terms_
    if isinstance(model, Pipeline):
        positions = [
            i
            for i, (_, step) in enumerate(model.steps)
            if isinstance(step, VAEEmbedder)
        ]
        if not positions:
            raise ValueError("The pipeline has no VAEEmbedder step.")
        position = positions[-1]
        embedder = model.steps[position][1]
        check_is_fitted(embedder)
        if feature_names is None and position > 0:
            feature_names = model[:position].get_feature_names_out()
    elif isinstance(model, VAEEmbedder):
        embedder = model
        check_is_fitted(embedder)
        if feature_names is None:
            feature_names = getattr(embedder, "feature_names_in_", None)
    else:
        raise TypeError(
            "Expected a fitted VAEEmbedder or a Pipeline containing one, got "
            f"{type(model).__name__}."
        )
    if feature_names is None:
        raise ValueError(
            "No vocabulary: pass feature_names, or a Pipeline whose steps before "
            "the VAEEmbedder have get_feature_names_out (e.g. CountVectorizer)."
        )
    feature_names = np.asarray(feature_names, dtype=object)
    if feature_names.shape != (embedder.n_features_in_,):
        raise ValueError(
            f"feature_names has {feature_names.shape[0]} entries but the "
            f"VAEEmbedder was fitted on {embedder.n_features_in_} features."
        )
    return embedder, feature_names


def _linear_embedder_and_names(model, feature_names):
    """Like _embedder_and_names, for the functions that read components_."""
    embedder, feature_names = _embedder_and_names(model, feature_names)
    if not hasattr(embedder, "components_"):
        raise ValueError(
            "Topics and term vectors need a decoder linear in its input "
            "(decoder_hidden_layer_sizes=()); this VAEEmbedder has "
            f"decoder_hidden_layer_sizes={embedder.decoder_hidden_layer_sizes!r}."
        )
    return embedder, feature_names


def vocabulary(model, *, feature_names=None) -> np.ndarray:
    """The terms, in the order of the model's features.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        Fitted model (see the module docstring).
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    terms : ndarray of str, shape (n_features,)
        The vocabulary, as an object array; ``terms[j]`` names feature j.

    Raises
    ------
    TypeError
        If ``model`` is neither a VAEEmbedder nor a Pipeline.
    ValueError
        If a Pipeline has no VAEEmbedder step, no vocabulary is known, or
        ``feature_names`` has the wrong length.

    See Also
    --------
    term_vectors : The vectors of these terms, in the same order.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvae import VAEEmbedder
    >>> from skvae.text import vocabulary
    >>> docs = ["apple banana fruit", "banana fruit juice", "car engine road",
    ...         "road car wheel", "fruit apple juice", "engine wheel car"] * 5
    >>> pipe = make_pipeline(
    ...     CountVectorizer(), VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0)
    ... ).fit(docs)
    >>> list(vocabulary(pipe))
    ['apple', 'banana', 'car', 'engine', 'fruit', 'juice', 'road', 'wheel']
    """
    return _embedder_and_names(model, feature_names)[1]


def term_indices(vectorizer, terms: list[list[str]]) -> list[list[int]]:
    """Column indices of terms in a fitted vectorizer's output.

    For ``VAEEmbedder(latent="topic", seed_topics=...)`` after a vectorizer,
    which sees columns, not terms.

    Parameters
    ----------
    vectorizer : fitted transformer with ``get_feature_names_out``
        E.g. a CountVectorizer, or the steps of a Pipeline before the
        VAEEmbedder (``pipeline[:-1]``).
    terms : list of lists of str
        Terms, e.g. one list per seeded topic.

    Returns
    -------
    indices : list of lists of int
        ``indices[k][i]`` is the column of ``terms[k][i]``.

    Raises
    ------
    ValueError
        If a term is not in the vectorizer's vocabulary.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from skvae.text import term_indices
    >>> vectorizer = CountVectorizer().fit(["apple banana", "car engine road"])
    >>> term_indices(vectorizer, [["car", "road"], ["apple"]])
    [[2, 4], [0]]
    """
    names = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    index = {name: j for j, name in enumerate(names)}
    missing = sorted({t for group in terms for t in group if t not in index})
    if missing:
        raise ValueError(f"Terms not in the vectorizer's vocabulary: {missing}.")
    return [[index[t] for t in group] for group in terms]


def topic_terms(model, n_terms: int = 10, *, feature_names=None) -> list[list[str]]:
    """The top terms of every latent dimension (topic).

    A dimension's top terms are those whose decoder weight for it
    (``components_[k]``) is largest: the terms it makes most likely.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        Fitted model (see the module docstring).
    n_terms : int, default=10
        Number of terms per topic.
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    topics : list of list of str
        ``n_components`` lists of ``n_terms`` terms, best first.

    Raises
    ------
    TypeError
        If ``model`` is neither a VAEEmbedder nor a Pipeline.
    ValueError
        If a Pipeline has no VAEEmbedder step, no vocabulary is known,
        ``feature_names`` has the wrong length, or the decoder is not linear
        (``decoder_hidden_layer_sizes`` is not empty).

    See Also
    --------
    nearest_terms : Terms with similar decoder weights.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvae import VAEEmbedder
    >>> from skvae.text import topic_terms
    >>> docs = ["apple banana fruit", "banana fruit juice", "car engine road",
    ...         "road car wheel", "fruit apple juice", "engine wheel car"] * 5
    >>> pipe = make_pipeline(
    ...     CountVectorizer(),
    ...     VAEEmbedder(2, latent="topic", hidden_layer_sizes=(16,), random_state=0),
    ... ).fit(docs)
    >>> topics = topic_terms(pipe, n_terms=3)
    >>> len(topics), len(topics[0])
    (2, 3)
    """
    embedder, names = _linear_embedder_and_names(model, feature_names)
    order = _top_terms(embedder.components_, n_terms)
    return [list(names[row]) for row in order]


def term_vectors(model, *, source="auto", feature_names=None) -> np.ndarray:
    """One vector per vocabulary term, from the model's vocabulary-sized weights.

    - ``source="auto"``: a WordEmbedder's ``vectors_`` (its ``vectors``
      choice), the decoder's weights of any other model.
    - ``source="decoder"``: row j is ``components_[:, j]``, the effect of every
      latent dimension on term j: terms the model places in the same topics
      get similar vectors.
    - ``source="encoder"``: row j is the encoder's first-layer weight of term
      j (width ``hidden_layer_sizes[0]``), what the term adds to every
      document's hidden representation.  With ``tied_weights=True`` it is the
      shared matrix.
    - ``source="both"``: the two, each centred and with unit-norm rows,
      side by side.

    Rows follow :func:`vocabulary`.  Which is best depends on the data; for
    word contexts, a :class:`WordEmbedder`'s sum of posterior means and
    decoder weights is its default view (the variant log,
    docs/notes/2026-12-06-model-variants.md, "Word vectors from local
    contexts").

    Parameters
    ----------
    model : VAEEmbedder, Pipeline or WordEmbedder
        Fitted model (see the module docstring); a WordEmbedder's weights
        are those of its ``vae_``.
    source : {"auto", "decoder", "encoder", "both"}, default="auto"
        Which weights.
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    vectors : ndarray of shape (n_features, dim)
        The term vectors, in the order of :func:`vocabulary`.

    Raises
    ------
    TypeError
        If ``model`` is neither a VAEEmbedder nor a Pipeline.
    ValueError
        If a Pipeline has no VAEEmbedder step, no vocabulary is known,
        ``feature_names`` has the wrong length, ``source`` is unknown, or
        the decoder is not linear (``decoder_hidden_layer_sizes`` is not
        empty; ``source="encoder"`` works with any decoder).

    See Also
    --------
    nearest_terms : The nearest neighbours of a term's vector.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvae import VAEEmbedder
    >>> from skvae.text import term_vectors, vocabulary
    >>> docs = ["apple banana fruit", "banana fruit juice", "car engine road",
    ...         "road car wheel", "fruit apple juice", "engine wheel car"] * 5
    >>> pipe = make_pipeline(
    ...     CountVectorizer(), VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0)
    ... ).fit(docs)
    >>> vectors = term_vectors(pipe)
    >>> vectors.shape
    (8, 2)
    >>> car = list(vocabulary(pipe)).index("car")
    >>> bool(np.array_equal(vectors[car], pipe[-1].components_[:, car]))
    True
    >>> term_vectors(pipe, source="encoder").shape  # the 16-wide first layer
    (8, 16)
    """
    if source not in ("auto", "decoder", "encoder", "both"):
        raise ValueError(
            f"source must be 'auto', 'decoder', 'encoder' or 'both'; got {source!r}."
        )
    if source == "auto" and isinstance(model, WordEmbedder):
        check_is_fitted(model)
        return model.vectors_
    n_terms = len(model.terms_) if isinstance(model, WordEmbedder) else None
    if source == "encoder":
        embedder, _ = _embedder_and_names(model, feature_names)
        return feature_weights(embedder, "encoder", n_terms)
    embedder, _ = _linear_embedder_and_names(model, feature_names)
    decoder = feature_weights(embedder, "decoder", n_terms)
    if source in ("auto", "decoder"):
        return decoder
    encoder = term_vectors(model, source="encoder", feature_names=feature_names)
    return np.hstack([unit_rows(m - m.mean(axis=0)) for m in (decoder, encoder)])


def _vectors_and_terms(source, feature_names) -> tuple[np.ndarray, np.ndarray]:
    """Word vectors and their terms from a model, KeyedVectors or a pair."""
    if isinstance(source, WordEmbedder) and feature_names is None:
        check_is_fitted(source)
        return source.vectors_, source.terms_
    if isinstance(source, (VAEEmbedder, Pipeline, WordEmbedder)):
        embedder, terms = _linear_embedder_and_names(source, feature_names)
        return np.ascontiguousarray(embedder.components_.T), terms
    if feature_names is not None:
        raise ValueError(
            "feature_names is only used with a bare VAEEmbedder; KeyedVectors "
            "and (vectors, terms) pairs carry their own terms."
        )
    if hasattr(source, "vectors") and hasattr(source, "index_to_key"):
        vectors, terms = source.vectors, source.index_to_key  # gensim KeyedVectors
    elif isinstance(source, tuple) and len(source) == 2:
        vectors, terms = source
    else:
        raise TypeError(
            "Expected a fitted VAEEmbedder, a Pipeline containing one, gensim "
            f"KeyedVectors or a (vectors, terms) pair, got {type(source).__name__}."
        )
    vectors = check_array(vectors, dtype=[np.float64, np.float32])
    terms = np.asarray(terms, dtype=object)
    if terms.shape != (vectors.shape[0],):
        raise ValueError(
            f"{len(terms)} terms for {vectors.shape[0]} vectors: give one term "
            "per row of the vectors."
        )
    return vectors, terms


def _term_index(terms: np.ndarray, term: str) -> int:
    matches = np.flatnonzero(terms == term)
    if matches.size == 0:
        raise ValueError(
            f"The term {term!r} is not in the vocabulary ({terms.size} terms)."
        )
    return int(matches[0])


def _most_similar(
    unit: np.ndarray, terms: np.ndarray, query: np.ndarray, exclude, n_terms: int
) -> list[tuple[str, float]]:
    """The terms most cosine-similar to ``query``, without those in ``exclude``."""
    norm = np.linalg.norm(query)
    similarity = unit @ (query / norm if norm > 0 else query)
    similarity[list(exclude)] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:n_terms]
    return [
        (str(terms[j]), float(similarity[j])) for j in order if similarity[j] > -np.inf
    ]


def nearest_terms(
    model, term: str, n_terms: int = 10, *, feature_names=None
) -> list[tuple[str, float]]:
    """The terms whose vectors are closest to ``term``'s by cosine similarity.

    Parameters
    ----------
    model : VAEEmbedder, Pipeline, KeyedVectors or (vectors, terms)
        Fitted model (see the module docstring), whose vectors are
        :func:`term_vectors`; or gensim ``KeyedVectors``; or a pair of an
        array of shape (n_terms, dim) and the n_terms terms of its rows.
    term : str
        A term of the vocabulary; with a :class:`WordEmbedder`, any word
        (:meth:`WordEmbedder.word_vectors` spells out a vector for a word
        outside the vocabulary).
    n_terms : int, default=10
        Number of neighbours to return (``term`` itself excluded).
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    neighbours : list of (str, float)
        Terms and cosine similarities, most similar first.

    Raises
    ------
    TypeError
        If ``model`` is none of the accepted kinds.
    ValueError
        If ``term`` is not in the vocabulary, a Pipeline has no VAEEmbedder
        step, no vocabulary is known, ``feature_names`` has the wrong length,
        or the decoder is not linear (``decoder_hidden_layer_sizes`` is not
        empty).

    See Also
    --------
    term_vectors : The vectors compared here.
    analogy : Terms close to a sum and difference of terms.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvae import VAEEmbedder
    >>> from skvae.text import nearest_terms
    >>> docs = ["apple banana fruit", "banana fruit juice", "car engine road",
    ...         "road car wheel", "fruit apple juice", "engine wheel car"] * 5
    >>> pipe = make_pipeline(
    ...     CountVectorizer(), VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0)
    ... ).fit(docs)
    >>> neighbours = nearest_terms(pipe, "car", n_terms=3)
    >>> len(neighbours), "car" in [term for term, _ in neighbours]
    (3, False)
    >>> similarities = [similarity for _, similarity in neighbours]
    >>> similarities == sorted(similarities, reverse=True)  # most similar first
    True

    Any word vectors will do, e.g. a pair of an array and its terms:

    >>> import numpy as np
    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> [(term, round(similarity, 3)) for term, similarity in
    ...  nearest_terms((vectors, ["cat", "dog", "car"]), "cat", n_terms=2)]
    [('dog', 0.994), ('car', 0.0)]
    """
    vectors, terms = _vectors_and_terms(model, feature_names)
    unit = unit_rows(vectors)
    if _spells_unseen(model, terms, term):
        return _most_similar(unit, terms, model.word_vectors([term])[0], [], n_terms)
    row = _term_index(terms, term)
    return _most_similar(unit, terms, unit[row], [row], n_terms)


def _spells_unseen(model, terms: np.ndarray, term: str) -> bool:
    """Whether ``term`` is outside a WordEmbedder's vocabulary and its subword
    model gives it a vector."""
    return (
        isinstance(model, WordEmbedder)
        and getattr(model, "subwords_", None) is not None
        and term not in set(terms)
    )


def analogy(
    model, positive, negative=(), n_terms: int = 10, *, feature_names=None
) -> list[tuple[str, float]]:
    """Solve "a is to b as c is to ?": the terms nearest to b - a + c.

    3CosAdd (Mikolov et al., 2013; as in gensim's ``most_similar``): the
    query is the sum of the unit vectors of the ``positive`` terms minus
    those of the ``negative`` terms, and the answers are the other terms of
    largest cosine similarity to it.  "man is to king as woman is to ?" is
    ``analogy(model, positive=["king", "woman"], negative=["man"])``.

    Parameters
    ----------
    model : VAEEmbedder, Pipeline, KeyedVectors or (vectors, terms)
        The word vectors, as in :func:`nearest_terms`.
    positive : str or list of str
        Terms whose vectors are added (at least one).
    negative : str or list of str, default=()
        Terms whose vectors are subtracted.
    n_terms : int, default=10
        Number of answers to return; the query terms are never among them.
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    answers : list of (str, float)
        Terms and their cosine similarity to the query, best first.

    Raises
    ------
    TypeError
        If ``model`` is none of the accepted kinds.
    ValueError
        If ``positive`` is empty or a query term is not in the vocabulary
        (and for the reasons of :func:`nearest_terms`).

    See Also
    --------
    nearest_terms : The neighbours of one term.

    References
    ----------
    Mikolov, T., Yih, W. and Zweig, G. (2013). Linguistic Regularities in
    Continuous Space Word Representations. NAACL-HLT.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.text import analogy
    >>> terms = ["man", "woman", "king", "queen", "apple"]
    >>> vectors = np.array([[1.0, 0.0, 0.1], [0.0, 1.0, 0.1], [1.0, 0.0, 1.0],
    ...                     [0.0, 1.0, 1.0], [0.5, 0.5, -1.0]])
    >>> answers = analogy((vectors, terms), positive=["king", "woman"],
    ...                   negative=["man"], n_terms=2)
    >>> [(term, round(similarity, 3)) for term, similarity in answers]
    [('queen', 0.96), ('apple', -0.23)]
    """
    positive = [positive] if isinstance(positive, str) else list(positive)
    negative = [negative] if isinstance(negative, str) else list(negative)
    if not positive:
        raise ValueError("analogy needs at least one positive term.")
    vectors, terms = _vectors_and_terms(model, feature_names)
    plus = [_term_index(terms, term) for term in positive]
    minus = [_term_index(terms, term) for term in negative]
    unit = unit_rows(vectors)
    query = unit[plus].sum(axis=0) - unit[minus].sum(axis=0)
    return _most_similar(unit, terms, query, plus + minus, n_terms)


def _exportable(model, feature_names) -> tuple[np.ndarray, list[str]]:
    """The vectors and terms to export; terms must be unique and non-empty."""
    vectors, terms = _vectors_and_terms(model, feature_names)
    terms = [str(term) for term in terms]
    if len(set(terms)) != len(terms):
        raise ValueError("The terms are not unique: each needs its own vector.")
    if "" in terms:
        raise ValueError("An empty string is not a term that can be exported.")
    return vectors, terms


def to_keyed_vectors(model, *, feature_names=None):
    """The word vectors as gensim ``KeyedVectors``.

    Gives gensim's word-vector tools (``most_similar``,
    ``evaluate_word_pairs``, ``evaluate_word_analogies``, ...) to the
    vectors of :func:`term_vectors`, with the vectors' dtype.

    Parameters
    ----------
    model : VAEEmbedder, Pipeline, KeyedVectors or (vectors, terms)
        The word vectors, as in :func:`nearest_terms`.
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    keyed_vectors : gensim.models.KeyedVectors
        One key per term, in the order of :func:`vocabulary`.

    Raises
    ------
    ImportError
        If gensim is not installed (``pip install 'skvae[gensim]'``).
    ValueError
        If the terms are not unique (and for the reasons of
        :func:`term_vectors`).

    See Also
    --------
    save_word2vec_format : Write the vectors to a file, without gensim.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae.text import to_keyed_vectors
    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> keyed = to_keyed_vectors((vectors, ["cat", "dog", "car"]))
    >>> keyed.most_similar("cat", topn=1)[0][0]
    'dog'
    """
    vectors, terms = _exportable(model, feature_names)
    try:
        from gensim.models import KeyedVectors
    except ImportError as error:
        raise ImportError(
            "to_keyed_vectors needs gensim: pip install 'skvae[gensim]'."
        ) from error
    keyed = KeyedVectors(vectors.shape[1], dtype=vectors.dtype)
    keyed.add_vectors(terms, vectors)
    return keyed


def save_word2vec_format(
    model, path: str | os.PathLike, *, binary: bool = False, feature_names=None
) -> None:
    """Write the word vectors in word2vec's format (no gensim needed).

    The text format has a header line ``n_terms dim``, then one line per
    term: the term and its ``dim`` values, separated by spaces.  The values
    are written with enough digits to be read back exactly in the vectors'
    precision (9 significant digits for float32, 17 for float64).  The binary
    format has the same header, then per term the term, a space, the values
    as little-endian float32 and a newline.  Both load with gensim's
    ``KeyedVectors.load_word2vec_format(path, binary=binary)`` and with the
    tools that read word2vec's files.

    Parameters
    ----------
    model : VAEEmbedder, Pipeline, KeyedVectors or (vectors, terms)
        The word vectors, as in :func:`nearest_terms`.
    path : str or os.PathLike
        The file to write (overwritten).
    binary : bool, default=False
        Write the binary format instead of the text format.
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Raises
    ------
    ValueError
        If a term is empty, repeated or contains whitespace (which the format
        cannot hold), and for the reasons of :func:`term_vectors`; nothing is
        written then.

    See Also
    --------
    to_keyed_vectors : The vectors as gensim KeyedVectors.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile
    >>> from skvae.text import save_word2vec_format
    >>> vectors = np.array([[0.5, -1.0], [0.25, 2.0]])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.txt"
    >>> save_word2vec_format((vectors, ["cat", "dog"]), path)
    >>> print(path.read_text(), end="")
    2 2
    cat 0.5 -1
    dog 0.25 2
    """
    vectors, terms = _exportable(model, feature_names)
    spaced = [term for term in terms if len(term.split()) != 1 or term.strip() != term]
    if spaced:
        raise ValueError(
            f"The word2vec format cannot hold terms with whitespace: {spaced[0]!r}."
        )
    header = f"{len(terms)} {vectors.shape[1]}\n"
    if binary:
        values = vectors.astype("<f4")
        with open(path, "wb") as file:
            file.write(header.encode("utf-8"))
            for term, row in zip(terms, values, strict=True):
                file.write(term.encode("utf-8") + b" " + row.tobytes() + b"\n")
        return
    digits = 9 if vectors.dtype == np.float32 else 17
    line = "%s" + f" %.{digits}g" * vectors.shape[1] + "\n"
    with open(path, "w", encoding="utf-8") as file:
        file.write(header)
        file.writelines(
            line % (term, *row) for term, row in zip(terms, vectors, strict=True)
        )
