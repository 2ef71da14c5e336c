"""Topics and word vectors from a fitted VAEEmbedder or a text pipeline.

Each function takes a fitted :class:`~skvae.VAEEmbedder`, or a fitted Pipeline
that contains one after a vectorizer (the vocabulary then comes from the steps
before it, e.g. ``CountVectorizer.get_feature_names_out()``).  A bare
VAEEmbedder uses ``feature_names_in_`` when it was fitted on a DataFrame, or
the ``feature_names`` you pass.

:class:`WordContexts` turns documents into the word-context matrix from which
a VAEEmbedder learns word vectors.
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._contexts import WordContexts
from ._embedder import VAEEmbedder

__all__ = [
    "WordContexts",
    "nearest_terms",
    "term_vectors",
    "topic_terms",
    "vocabulary",
]


def _embedder_and_names(model, feature_names):
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
    order = np.argsort(-embedder.components_, axis=1, kind="stable")[:, :n_terms]
    return [list(names[row]) for row in order]


def term_vectors(model, *, feature_names=None) -> np.ndarray:
    """One vector per vocabulary term: the decoder's weights.

    Row j is ``components_[:, j]``, the effect of every latent dimension on
    term j; rows follow :func:`vocabulary`.  Terms the model places in the same
    topics get similar vectors.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        Fitted model (see the module docstring).
    feature_names : array-like of str, default=None
        Vocabulary to use for a bare VAEEmbedder fitted on an array.

    Returns
    -------
    vectors : ndarray of shape (n_features, n_components)
        The term vectors, in the order of :func:`vocabulary`.

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
    """
    embedder, _ = _linear_embedder_and_names(model, feature_names)
    return np.ascontiguousarray(embedder.components_.T)


def nearest_terms(
    model, term: str, n_terms: int = 10, *, feature_names=None
) -> list[tuple[str, float]]:
    """The terms whose vectors are closest to ``term``'s by cosine similarity.

    Parameters
    ----------
    model : VAEEmbedder or Pipeline
        Fitted model (see the module docstring).
    term : str
        A term of the vocabulary.
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
        If ``model`` is neither a VAEEmbedder nor a Pipeline.
    ValueError
        If ``term`` is not in the vocabulary, a Pipeline has no VAEEmbedder
        step, no vocabulary is known, ``feature_names`` has the wrong length,
        or the decoder is not linear (``decoder_hidden_layer_sizes`` is not
        empty).

    See Also
    --------
    term_vectors : The vectors compared here.

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
    """
    embedder, names = _linear_embedder_and_names(model, feature_names)
    matches = np.flatnonzero(names == term)
    if matches.size == 0:
        raise ValueError(
            f"The term {term!r} is not in the vocabulary ({names.size} terms)."
        )
    vectors = embedder.components_.T.astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    similarity = unit @ unit[matches[0]]
    similarity[matches[0]] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:n_terms]
    return [(str(names[j]), float(similarity[j])) for j in order]
