"""skvae: a variational autoencoder as a scikit-learn transformer."""

from ._embedder import VAEEmbedder
from ._version import __version__

__all__ = ["VAEEmbedder", "__version__"]
