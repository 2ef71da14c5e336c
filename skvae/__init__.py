"""skvae: a variational autoencoder as a scikit-learn transformer.

- :class:`VAEEmbedder`: the estimator (fit, transform, score, sample, ...).
- :mod:`skvae.text`: topics and word vectors of a fitted model.
- :mod:`skvae.metrics`: topic coherence and diversity, accuracy of embeddings.
- :mod:`skvae.serialization`: weights-only persistence in safetensors files.
- :mod:`skvae.onnx`: ``transform`` as an ONNX graph, alone or inside a
  pipeline converted by skl2onnx, to serve without torch.
- :mod:`skvae.datasets`: the 20 Newsgroups and Reuters-21578 corpora, and the
  vectorizer settings of the examples and benchmarks.
- :mod:`skvae.exceptions`: the errors and warnings skvae raises.

``__version__`` is the version string of the installed package; it is saved
with pickled models and compared on loading
(:class:`~skvae.exceptions.InconsistentVersionWarning`).

Examples
--------
>>> import skvae
>>> skvae.__version__  # doctest: +SKIP
'0.2.0'
"""

from ._embedder import VAEEmbedder
from ._version import __version__

__all__ = ["VAEEmbedder", "__version__"]
