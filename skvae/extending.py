"""Add a latent kind: one :class:`Latent` subclass and its registration.

A kind owns its prior, the code the decoder reads, its normalisations, its
training defaults and its own hyper-parameters (:attr:`Latent.hyperparameters`);
see the user guide's "Extending" page.  Once registered,
``VAEEmbedder(latent=name, latent_params={...})`` builds it, and fitted
models of that kind pickle and load like any other while it is registered.
"""

from ._model.latents import (
    GaussianLatent,
    Latent,
    LatentParameter,
    TopicLatent,
    TrainingDefaults,
    register_latent,
    unregister_latent,
)

__all__ = [
    "GaussianLatent",
    "Latent",
    "LatentParameter",
    "TopicLatent",
    "TrainingDefaults",
    "register_latent",
    "unregister_latent",
]
