"""Errors and warnings raised by skvae, for users to catch or filter."""


class TrainingDivergedError(ValueError):
    """The training loss or the network's weights became NaN or infinite."""


class TrainingStoppedWarning(UserWarning):
    """Training stopped early, and the best weights seen so far were kept.

    Raised when ``fit`` is interrupted (KeyboardInterrupt) after at least one
    epoch, or when the loss diverges with ``early_stopping=True`` after at
    least one validation score.
    """


class InconsistentVersionWarning(UserWarning):
    """A model is loaded with another skvae version than it was saved with.

    Like :class:`sklearn.exceptions.InconsistentVersionWarning`: the model may
    load but behave differently; re-fit it with the installed version.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.

    current_version : str
        The installed skvae version.

    original_version : str
        The skvae version the model was saved with.
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
