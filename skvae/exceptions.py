"""Errors and warnings raised by skvae, for users to catch or filter."""

__all__ = [
    "DeviceFallbackWarning",
    "InconsistentVersionWarning",
    "TrainingDivergedError",
    "TrainingStoppedWarning",
]


class TrainingDivergedError(ValueError):
    """The training loss or the network's weights became NaN or infinite.

    Raised by :meth:`~skvae.VAEEmbedder.fit` and
    :meth:`~skvae.VAEEmbedder.partial_fit`; ``fit`` then leaves the estimator
    unfitted, ``partial_fit`` keeps its previous state.  A smaller
    ``learning_rate_init`` or rescaled input usually helps.  With
    ``early_stopping=True``, a divergence after the first validation score
    keeps the best epoch's weights and warns with
    :class:`TrainingStoppedWarning` instead.

    See Also
    --------
    TrainingStoppedWarning : Training stopped early, the best weights are kept.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.exceptions import TrainingDivergedError
    >>> X = np.random.RandomState(0).normal(size=(50, 4)) * 1e20
    >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), learning_rate_init=1e30)
    >>> try:
    ...     vae.fit(X)
    ... except TrainingDivergedError as error:  # doctest: +NORMALIZE_WHITESPACE
    ...     print(error)
    The training loss became NaN or infinite; try a smaller learning_rate_init
    or check the input for extreme values.
    """


class TrainingStoppedWarning(UserWarning):
    """Training stopped early, and the best weights seen so far were kept.

    Raised when ``fit`` is interrupted (KeyboardInterrupt) after at least one
    epoch, or when the loss diverges with ``early_stopping=True`` after at
    least one validation score.

    See Also
    --------
    TrainingDivergedError : Raised when there are no weights to fall back on.

    Examples
    --------
    Turn the warning into an error, to never keep a model whose training was
    cut short:

    >>> import warnings
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> from skvae.exceptions import TrainingStoppedWarning
    >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", TrainingStoppedWarning)
    ...     vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
    """


class InconsistentVersionWarning(UserWarning):
    """A model is loaded with another skvae version than it was saved with.

    Like :class:`sklearn.exceptions.InconsistentVersionWarning`: the model may
    load but behave differently; re-fit it with the installed version.
    Raised when unpickling a VAEEmbedder (pickle, joblib) and by
    :func:`skvae.serialization.load_safetensors`.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.

    current_version : str
        The installed skvae version.

    original_version : str
        The skvae version the model was saved with.

    See Also
    --------
    sklearn.exceptions.InconsistentVersionWarning : The same for scikit-learn.

    Examples
    --------
    >>> import pickle, warnings
    >>> from skvae import VAEEmbedder
    >>> from skvae.exceptions import InconsistentVersionWarning
    >>> saved = pickle.dumps(VAEEmbedder())
    >>> with warnings.catch_warnings():  # refuse models from other versions
    ...     warnings.simplefilter("error", InconsistentVersionWarning)
    ...     vae = pickle.loads(saved)  # same version: loads silently
    >>> print(InconsistentVersionWarning(estimator_name="VAEEmbedder",
    ...     current_version="0.2.0", original_version="0.1.0"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Trying to load estimator VAEEmbedder from skvae version 0.1.0 when using
    version 0.2.0. This might lead to breaking code or invalid results; re-fit
    the model with the installed version to be sure.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        return (
            f"Trying to load estimator {self.estimator_name} from skvae version "
            f"{self.original_version} when using version {self.current_version}. "
            "This might lead to breaking code or invalid results; re-fit the "
            "model with the installed version to be sure."
        )


class DeviceFallbackWarning(UserWarning):
    """A fitted model whose ``device`` is unavailable runs on the CPU instead.

    A model fitted on a GPU keeps ``device="cuda"`` among its parameters; on a
    machine without CUDA, ``transform``, ``score`` and the other inference
    methods run on the CPU (the fitted state is device-free) and warn with
    this.  Training with an unavailable device raises ``ValueError`` instead.

    Examples
    --------
    Silence it by naming the device this machine has:

    >>> from skvae import VAEEmbedder
    >>> vae = VAEEmbedder(device="cuda")  # e.g. as loaded from a GPU machine
    >>> vae = vae.set_params(device="cpu")
    """
