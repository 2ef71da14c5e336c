"""skvae: a variational autoencoder as a scikit-learn transformer."""

from ._embedder import VAEEmbedder

__version__ = "0.1.0"

__all__ = ["VAEEmbedder", "__version__"]
