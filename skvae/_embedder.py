"""The scikit-learn facade: parameter and input validation, public methods.

The network, the training loop and inference are in their own modules; this
one validates, seeds, picks the device and keeps the fitted state
(:class:`~skvae._model.state.FittedState`, plain numpy).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._generative import GenerativeMixin
from ._model.inference import (
    INFERENCE_DTYPE,
    active_dimensions,
    components,
    decoded_mean,
    posterior_mean,
    posterior_moments,
)
from ._model.latents import LATENT_CLASSES, TopicLatent
from ._model.likelihoods import LIKELIHOOD_CLASSES, check_likelihood_input
from ._model.network import ACTIVATIONS
from ._model.settings import (
    network_spec,
    resolve_device,
    training_settings,
    validation_split,
)
from ._model.state import FittedState, pickled_estimator, unpickled_estimator
from ._model.training import TrainingHistory, train_new, train_one_epoch
from .exceptions import (
    TrainingStoppedWarning,
)

# A latent dimension is active when its posterior mean varies across the
# training rows by more than this share of the prior's variance; Burda et
# al.'s (2016) 0.01 counts dimensions whose posteriors stay near the prior
# (docs/notes/2026-12-06-model-variants.md, "Collapsed dimensions").
_ACTIVE_VARIANCE = 0.1
# Training runs in float32: larger magnitudes would become infinite there.
_MAX_ABS_VALUE = float(np.finfo(np.float32).max)


class VAEEmbedder(
    GenerativeMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Variational autoencoder as a scikit-learn transformer.

    A Gaussian encoder q(z|x) = N(mu(x), diag sigma^2(x)) maps each row of X to
    a distribution over ``n_components`` latent dimensions; the latent space
    (``latent``) sets the prior p(z) and the code c(z) the decoder reads (z,
    or topic proportions softmax(z)); the decoder gives the parameters of
    p(x|z) from c(z), linearly unless ``decoder_hidden_layer_sizes`` adds
    hidden layers.  Training minimises
    ``-E_q[log p(x|z)] + beta * KL(q(z|x) || p(z))`` with Adam on shuffled
    minibatches.  :meth:`transform` returns the code of the posterior mean.
    What every ``"auto"`` resolves to, and why, is in the user guide's
    model page (docs/model.md).

    Parameters
    ----------
    n_components : int, default=10
        Dimension of the latent space (of the embeddings).

    beta : float, default=1.0
        Weight of the KL term in the training loss. ``beta=1`` is the ordinary
        ELBO; smaller values give sharper reconstructions, larger values a
        smoother latent space.  :meth:`score` always uses ``beta=1``.

    likelihood : {"auto", "multinomial", "poisson", "bernoulli", "gaussian"}, \
            default="auto"
        Observation model p(x|z): ``"multinomial"`` for the word counts of
        documents, ``"poisson"`` for independent counts, ``"bernoulli"`` for
        values in [0, 1], ``"gaussian"`` for real values (a learned variance
        per feature).  ``"auto"`` picks from the data (stored in
        ``likelihood_``): bags of words, counted or weighted, get the
        multinomial.  The count likelihoods reject negative input and accept
        non-integer "soft counts" such as TF-IDF weights (their
        log-likelihoods are defined for any x >= 0).

    latent : str, default="gaussian"
        Latent space: ``"gaussian"`` (z ~ N(0, I), :meth:`transform` returns
        the posterior mean of z) or ``"topic"``, the ProdLDA topic model
        (Srivastava & Sutton, 2017): topic proportions theta = softmax(z)
        under a logistic-normal approximation of a Dirichlet prior, a
        product-of-experts decoder, training on damped counts log(1 + x);
        :meth:`transform` returns topic proportions whose rows sum to 1, as
        LatentDirichletAllocation's, and needs the multinomial or Poisson
        likelihood.  Kinds registered with
        :func:`skvae.extending.register_latent` are accepted too.

    doc_topic_prior : float, default=1.0
        Concentration alpha of the symmetric Dirichlet prior over topic
        proportions (``latent="topic"`` only).

    seed_topics : list of lists of str or int, default=None
        Guided topics (``latent="topic"`` only): ``seed_topics[k]`` lists
        terms that topic k should be about, as feature indices
        (:func:`skvae.text.term_indices`) or as names of
        ``feature_names_in_``.  Topic k's seed terms get ``seed_strength``
        added to their decoder weights (like tomotopy's ``set_word_prior``)
        and the topic starts on the terms most typical of the documents that
        use its seeds; the other topics are learned freely.

    seed_strength : float, default=8.0
        The weight added to each seed term in its topic (in the decoder's
        logits); larger values tie the topics more closely to their seeds.

    latent_params : dict, default=None
        Hyper-parameters of a latent kind added with
        :func:`skvae.extending.register_latent`, by name (the built-in kinds
        take theirs as the parameters above).  Unknown names raise an error.

    hidden_layer_sizes : array-like of int or int, default=(256,)
        Widths of the encoder's hidden layers; ``()`` makes the encoder linear.

    decoder_hidden_layer_sizes : array-like of int, default=()
        Widths of the decoder's hidden layers.  ``()`` keeps the decoder
        linear, which gives ``components_`` and the topics and word vectors of
        :mod:`skvae.text`; hidden layers make it nonlinear (e.g. for
        imputation), and ``components_`` is then not defined.

    tied_weights : bool, default=False
        Share the vocabulary-sized matrix E (n_features x width, width the
        first hidden layer's size or ``n_components``) between the encoder's
        first layer (``x @ E``) and the decoder (``h @ P.T @ E.T``, with a
        small learned projection P): one vocabulary-sized matrix instead of
        two.

    activation : {"relu", "softplus", "tanh", "elu"}, default="softplus"
        Activation of the encoder's hidden layers.

    dropout : float or "auto", default="auto"
        Dropout rate on the encoder's last hidden layer during training.
        ``"auto"``: 0.2 with ``latent="topic"`` (ProdLDA's), 0 otherwise.

    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"``: ``min(500, n_samples)``, or
        ``min(200, n_samples)`` with ``latent="topic"``, and fewer rows where
        the decoder is wide, so that a batch's decoder output stays within
        16 MB of float32 (at least 32 rows).

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data).

    max_steps : int or None, default=5000
        Minibatch steps after which :meth:`fit` stops as if converged (with
        word dropout its phase with dropout ends there, and the last phase
        without it follows), so that a corpus with many batches an epoch
        trains fewer epochs: at most ``ceil(max_steps / ceil(n_samples /
        batch_size))`` epochs before the last phase.  Like the other stopping
        rules it starts counting after the KL warm-up.  None: no limit but
        ``max_iter``.

    learning_rate_init : float or "auto", default="auto"
        Learning rate of the Adam optimizer; ``"auto"`` is 2e-3, or 1e-3 with
        ``latent="topic"``.

    kl_warmup_iter : int, default=0
        Number of epochs over which the KL weight rises linearly to ``beta``;
        helps against posterior collapse.  No stopping rule applies during
        warm-up.

    softmax_samples : int, "auto" or None, default="auto"
        Multinomial likelihood, training only: estimate the normaliser of the
        softmax over the features from each row's stored terms plus this many
        features sampled per minibatch (importance sampling), so that a step
        costs the stored entries rather than rows x features.  None computes
        it exactly.  ``"auto"``: 1,000 samples on CPU when X has at least
        10,000 features and its rows store fewer than 0.5% of them on
        average, exact otherwise.  Scoring is always exact.

    input_dropout : float or "auto", default="auto"
        Share of each training row's observed entries hidden from the encoder
        at every step while the likelihood still scores them (training only):
        the model learns to predict what it does not see.  Hidden entries
        count as missing on data with NaN, else as 0 (word dropout).
        ``"auto"``: the data's own missing rate on data with NaN; with the
        multinomial likelihood and the Gaussian latent, 0.8, or less for
        short rows so that 16 of a row's non-zero entries stay visible on
        average; 0 otherwise.

    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Precision of the decoder's product over all features during training:
        ``"bfloat16"`` rounds its inputs to bfloat16 and accumulates in
        float32, faster where the hardware has bfloat16 units.  ``"auto"``
        uses it on CPUs with AVX512-BF16 or AMX and on CUDA GPUs that support
        it.  Inference is always float64.

    shuffle : bool, default=True
        Whether to shuffle the samples in each epoch.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when
        its ELBO stops improving, keeping the best epoch's weights (also when
        the loss later diverges, with a warning).  Otherwise training stops
        when the training loss stops improving.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.

    n_iter_no_change : int, default=10
        Number of epochs without an improvement of at least ``tol`` after which
        training stops.

    tol : float, default=1e-3
        Relative tolerance: an epoch improves when the monitored loss (or
        validation ELBO) beats the best so far by ``tol * |best|``.  With word
        dropout its phase also ends when the last ``n_iter_no_change`` epochs
        improved the loss by less than ``tol`` per epoch on average, or when
        the embeddings of 1,000 training rows have settled (a linear-CKA
        distance below ``7.5 * tol * n_components ** 0.25`` over 5 epochs);
        a last phase without word dropout follows.  ``tol=0`` turns the
        latter rule off.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the minibatch order, the validation split and
        the noise of the reparameterisation.  An int makes ``fit`` reproducible
        on CPU.

    device : str or torch.device, default="auto"
        Where to train and infer: ``"auto"`` uses CUDA when available, else
        the CPU.  The fitted state is device-free.

    verbose : int, default=0
        ``>0`` shows a progress bar over epochs; ``>1`` also prints the loss of
        each epoch.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Only with a linear decoder.  What one unit of each latent dimension
        adds to the decoder's natural parameter of every feature (the logits
        of the count and Bernoulli likelihoods, the mean for the Gaussian).
        With ``latent="topic"`` row k holds topic k's weight for every term,
        centred over the topics; its largest entries are the topic's top
        terms.

    likelihood_ : str
        The likelihood used, as resolved from ``likelihood``.

    n_iter_ : int
        Number of epochs run by :meth:`fit` (with early stopping, including
        the epochs after the best one), or number of :meth:`partial_fit`
        calls, each one epoch.

    loss_curve_ : list of float
        Mean training loss (negative ELBO with the epoch's KL weight) per
        epoch, or per :meth:`partial_fit` call.

    best_loss_ : float or None
        Lowest value of ``loss_curve_``; None after :meth:`fit` with early
        stopping.

    validation_scores_ : list of float or None
        Mean validation ELBO per epoch after :meth:`fit` with early stopping
        (four shared draws: comparable across epochs rather than with
        :meth:`score`); None otherwise.

    best_validation_score_ : float or None
        Best validation ELBO after the KL warm-up (that epoch's weights are the
        fitted model); ``-inf`` if training ended within the warm-up; None
        when ``validation_scores_`` is None.

    n_components_ : int
        Number of latent dimensions of the fitted model.

    n_active_components_ : int
        Number of active latent dimensions: those whose posterior mean varies
        across the training rows by more than a tenth of the prior's
        variance (the "active units" of Burda et al., 2016), estimated on up
        to 4,096 evenly spaced training rows.  A collapsed dimension carries
        no information; many of them call for a lower ``beta``,
        ``kl_warmup_iter`` epochs or fewer ``n_components``.

    active_components_ : ndarray of bool of shape (n_components,)
        Which latent dimensions are active;
        ``transform(X)[:, vae.active_components_]`` keeps only those.

    random_state_ : RandomState instance
        The random generator used by the last fit (:meth:`partial_fit` carries
        it on from call to call).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.decomposition.LatentDirichletAllocation : Topic model for counts.
    sklearn.decomposition.TruncatedSVD : Linear embedding of sparse data.
    skvae.text.topic_terms : Top terms of every latent dimension.
    skvae.serialization.save_safetensors : Save the fitted weights safely.

    Notes
    -----
    NaN in X means "not observed": such entries are left out of the
    likelihood, and the encoder sees the training mean in their place plus a
    missing-value indicator per feature.  ``inverse_transform(transform(X))``
    fills them in.  Topic mode scores damped counts log(1 + x) in training, so
    that a term repeated in one document adds less than its first occurrence
    (Wilson & Chew, 2010); :meth:`score` and :meth:`perplexity` score the
    counts as given.

    References
    ----------
    Kingma, D. P. and Welling, M. (2014). Auto-Encoding Variational Bayes. ICLR.

    Srivastava, A. and Sutton, C. (2017). Autoencoding Variational Inference
    for Topic Models. ICLR.

    Wilson, A. T. and Chew, P. A. (2010). Term Weighting Schemes for Latent
    Dirichlet Allocation. NAACL-HLT.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEEmbedder
    >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
    >>> vae = VAEEmbedder(n_components=2, hidden_layer_sizes=(16,), random_state=0)
    >>> Z = vae.fit_transform(X)
    >>> Z.shape
    (100, 2)
    >>> vae.likelihood_
    'multinomial'
    >>> vae.components_.shape
    (2, 20)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "likelihood": [StrOptions({"auto", *LIKELIHOOD_CLASSES})],
        # The registry's live keys: a kind registered later is accepted.
        "latent": [StrOptions(LATENT_CLASSES.keys())],
        "latent_params": [None, dict],
        **{
            name: parameter.constraints
            for name, parameter in TopicLatent.hyperparameters.items()
        },
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "decoder_hidden_layer_sizes": ["array-like"],
        "tied_weights": ["boolean"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_steps": [None, Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "kl_warmup_iter": [Interval(Integral, 0, None, closed="left")],
        "softmax_samples": [
            None,
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "input_dropout": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="left")],
        "precision": [StrOptions({"auto", "float32", "bfloat16"})],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=10,
        *,
        beta=1.0,
        likelihood="auto",
        latent="gaussian",
        doc_topic_prior=1.0,
        seed_topics=None,
        seed_strength=8.0,
        latent_params=None,
        hidden_layer_sizes=(256,),
        decoder_hidden_layer_sizes=(),
        tied_weights=False,
        activation="softplus",
        dropout="auto",
        batch_size="auto",
        max_iter=200,
        max_steps=5000,
        learning_rate_init="auto",
        kl_warmup_iter=0,
        softmax_samples="auto",
        input_dropout="auto",
        precision="auto",
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-3,
        random_state=None,
        device="auto",
        verbose=0,
    ):
        self.n_components = n_components
        self.beta = beta
        self.likelihood = likelihood
        self.latent = latent
        self.doc_topic_prior = doc_topic_prior
        self.seed_topics = seed_topics
        self.seed_strength = seed_strength
        self.latent_params = latent_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.decoder_hidden_layer_sizes = decoder_hidden_layer_sizes
        self.tied_weights = tied_weights
        self.activation = activation
        self.dropout = dropout
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.max_steps = max_steps
        self.learning_rate_init = learning_rate_init
        self.kl_warmup_iter = kl_warmup_iter
        self.softmax_samples = softmax_samples
        self.input_dropout = input_dropout
        self.precision = precision
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the VAE to X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, e.g. a document-term matrix.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted estimator.

        Raises
        ------
        ValueError
            If a parameter is invalid, or X does not suit the likelihood (e.g.
            negative values with a count likelihood, or ``latent="topic"``
            with real-valued data).
        TrainingDivergedError
            If the loss becomes NaN or infinite (unless ``early_stopping`` has
            a validation score to fall back on); the estimator is then
            unfitted.

        Warns
        -----
        ConvergenceWarning
            If training stops at ``max_iter`` before it converged.
        TrainingStoppedWarning
            If fit is interrupted (KeyboardInterrupt) after its first epoch:
            the best weights so far become the fitted model.  An interrupt in
            the first epoch re-raises and leaves the estimator unfitted.  Also
            when the loss diverges with ``early_stopping=True`` after at least
            one validation score: the best epoch's weights are kept.

        See Also
        --------
        partial_fit : Train on one chunk of data at a time.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), early_stopping=True,
        ...                   random_state=0).fit(X)
        >>> len(vae.validation_scores_) == len(vae.loss_curve_) == vae.n_iter_
        True
        >>> vae.best_validation_score_ == max(vae.validation_scores_)
        True
        """
        self._clear_fitted_state()
        try:
            history = self._fit(X)
        except BaseException:
            self._clear_fitted_state()
            raise
        if history.stop_reason is not None:
            self._warn_stopped(history)
        elif not history.converged:
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _fit(self, X) -> TrainingHistory:
        """Train and store the fitted state; returns the training history."""
        X = self._validate_input(X, reset=True)
        spec = network_spec(self, X)
        device = resolve_device(self)
        random_state = check_random_state(self.random_state)
        X_train, X_val = validation_split(self, X, random_state)
        settings = training_settings(self, X_train, spec, device)
        state, history = train_new(spec, X_train, X_val, settings, random_state, device)
        self._set_state(state, X.dtype, X_train)
        self.random_state_ = random_state
        self.n_iter_ = history.n_iter
        self.loss_curve_ = history.loss_curve
        self.validation_scores_ = history.validation_scores
        early = X_val is not None
        self.best_validation_score_ = history.best_score if early else None
        self.best_loss_ = None if early else min(history.loss_curve)
        return history

    def _warn_stopped(self, history: TrainingHistory) -> None:
        monitored = (
            "best validation ELBO"
            if self.early_stopping
            else "lowest training loss after KL warm-up"
        )
        cause = {
            "interrupted": "was interrupted (KeyboardInterrupt)",
            "diverged": "diverged (NaN or infinite loss)",
        }[history.stop_reason]
        warnings.warn(
            f"{type(self).__name__}: training {cause} in epoch "
            f"{history.n_iter + 1}; keeping the weights of epoch "
            f"{history.best_epoch} ({monitored}) as the fitted model.",
            TrainingStoppedWarning,
            stacklevel=3,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on one chunk of data: a single pass over X in minibatches.

        For data that does not fit in memory, or arrives over time: call it
        once per chunk (e.g. per ``HashingVectorizer`` output, or per slice of
        a saved matrix), in as many passes as needed.  The first call builds
        the network; its chunk sets the likelihood (``"auto"``), the
        per-feature statistics (the decoder's initial bias, the fill value of
        missing entries, the Gaussian's standardisation) and whether the
        encoder gets missing-value indicators.  Adam's state carries over from
        call to call.  ``early_stopping`` and ``max_iter`` do not apply: each
        call is one epoch.  After :meth:`fit`, ``partial_fit`` continues from
        the fitted weights with a fresh optimizer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The updated estimator.  If training on this chunk fails (e.g. the
            loss diverges), the estimator keeps its previous state.

        Raises
        ------
        ValueError
            If X does not suit the model: another number of features than the
            first chunk, values the likelihood rejects, or a single row with
            ``latent="topic"``.
        TrainingDivergedError
            If the loss becomes NaN or infinite during this pass.

        See Also
        --------
        fit : Train on all the data at once, with convergence checks.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(300, 20))
        >>> vae = VAEEmbedder(n_components=2, hidden_layer_sizes=(16,), random_state=0)
        >>> for epoch in range(3):
        ...     for chunk in np.array_split(X, 3):
        ...         vae = vae.partial_fit(chunk)
        >>> vae.n_iter_
        9
        >>> vae.transform(X[:2]).shape
        (2, 2)
        """
        first_call = not hasattr(self, "_state")
        try:
            return self._partial_fit(X, first_call)
        except BaseException:
            if first_call:  # validate_data may have set n_features_in_
                self._clear_fitted_state()
            raise

    def _partial_fit(self, X, first_call: bool):
        X = self._validate_input(X, reset=first_call)
        if first_call:
            state, spec = None, network_spec(self, X)
            random_state = check_random_state(self.random_state)
        else:
            state, spec = self._state, self._state.spec
            check_likelihood_input(X, spec.likelihood, type(self).__name__)
            LATENT_CLASSES[spec.latent].check_n_samples(X.shape[0])
            random_state = self.random_state_
        device = resolve_device(self)
        settings = training_settings(self, X, spec, device)
        n_iter = 0 if first_call else self.n_iter_
        state, loss = train_one_epoch(
            state, spec, X, n_iter, settings, random_state, device
        )
        # Only a completed pass changes the estimator.
        self._set_state(state, X.dtype, X)
        self.random_state_ = random_state
        self.n_iter_ = n_iter + 1
        self.loss_curve_ = [*getattr(self, "loss_curve_", []), loss]
        self.best_loss_ = min(self.loss_curve_)
        self.validation_scores_ = None
        self.best_validation_score_ = None
        return self

    def _set_state(self, state: FittedState, dtype, X_train=None) -> None:
        """Keep the fitted state and the attributes derived from it; with
        training rows, also which latent dimensions they use."""
        self._state = state
        self.likelihood_ = state.spec.likelihood
        self.n_components_ = state.spec.n_components
        if not state.spec.decoder_hidden_layer_sizes:
            self.components_ = components(state).astype(dtype, copy=False)
        if X_train is not None:
            self.active_components_ = active_dimensions(
                self._inference_network(), X_train, _ACTIVE_VARIANCE
            )
            self.n_active_components_ = int(self.active_components_.sum())

    # ------------------------------------------------------------ inference

    def transform(self, X):
        """Embed X as the posterior mean of the latent variables.

        Deterministic: the result does not depend on the batch size, the order
        of the rows or the other rows of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to embed.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Posterior means, in the dtype of X (float32 or float64); topic
            proportions, whose rows sum to 1, with ``latent="topic"``.

        See Also
        --------
        inverse_transform : Decode latent rows back to the input's space.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
        >>> Z = vae.transform(X[:5])
        >>> Z.shape, Z.dtype
        ((5, 2), dtype('float64'))
        >>> bool(np.allclose(Z, vae.transform(X)[:5]))  # rows are independent
        True
        >>> vae.transform(X[:5].astype(np.float32)).dtype
        dtype('float32')
        """
        X = self._fitted_input(X)
        Z = self._finite(posterior_mean(self._inference_network(), X), "transform")
        return Z.astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Decode latent rows to the expected value of x in the input's space.

        ``inverse_transform(transform(X))`` is the model's reconstruction of X,
        which fills in missing entries.  For the multinomial likelihood, where a
        latent row fixes only the word distribution, the expected counts assume
        the mean training document length.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Rows in the space :meth:`transform` returns: latent means, or topic
            proportions with ``latent="topic"``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            E[x | z] for every row, in the dtype of X.

        Raises
        ------
        ValueError
            If X does not have ``n_components_`` columns.

        See Also
        --------
        transform : Embed data as latent rows.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
        >>> X_hat = vae.inverse_transform(vae.transform(X))
        >>> X_hat.shape
        (100, 20)
        >>> # Multinomial: expected counts of a document of mean training length
        >>> bool(np.allclose(X_hat.sum(axis=1), X.sum(axis=1).mean()))
        True
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {Z.shape[1]} columns, but {type(self).__name__} has "
                f"n_components={self.n_components_} latent dimensions."
            )
        X_original = self._finite(
            decoded_mean(self._inference_network(), Z), "inverse_transform"
        )
        return X_original.astype(Z.dtype, copy=False)

    # -------------------------------------------------------------- helpers

    @property
    def _n_features_out(self):
        return self.n_components_

    def __getstate__(self):
        # A new dict: object.__getstate__ may return the instance's own.
        return pickled_estimator({**super().__getstate__()})

    def __setstate__(self, state):
        super().__setstate__(unpickled_estimator(state, type(self).__name__))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        likelihood = LIKELIHOOD_CLASSES.get(self.likelihood)
        latent = LATENT_CLASSES.get(self.latent)
        allowed = getattr(latent, "likelihoods", None) or ()
        tags.input_tags.positive_only = bool(
            (likelihood is not None and likelihood.non_negative)
            or (allowed and all(LIKELIHOOD_CLASSES[n].non_negative for n in allowed))
        )
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _fitted_input(self, X):
        """X checked for the fitted model: its features, values its likelihood
        accepts."""
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        check_likelihood_input(X, self.likelihood_, type(self).__name__)
        return X

    def _validate_input(self, X, *, reset: bool):
        X = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=("csr", "csc", "coo"),
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
        )
        values = X.data if sp.issparse(X) else X
        # Two reductions rather than np.abs: no copy of a large dense X.
        largest = max(np.nanmax(values, initial=0.0), -np.nanmin(values, initial=0.0))
        if largest > _MAX_ABS_VALUE:
            raise ValueError(
                f"Input X contains values too large for {type(self).__name__}: "
                f"training runs in float32, whose largest value is "
                f"{_MAX_ABS_VALUE:.3g}; rescale X."
            )
        # CSR gives cheap row slices; CSC/COO are converted (one copy of X).
        return X.tocsr() if sp.issparse(X) else X

    def _inference_network(self):
        return self._state.build(
            device=resolve_device(self, training=False), dtype=INFERENCE_DTYPE
        )

    def _finite(self, values: np.ndarray, method: str) -> np.ndarray:
        """Raise instead of returning NaN or infinity from an overflow."""
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"{type(self).__name__}.{method} overflowed (NaN or infinite "
                "result): the input holds values too extreme for the fitted "
                "model; rescale it."
            )
        return values

    def _clear_fitted_state(self) -> None:
        fitted = [
            name
            for name in vars(self)
            if (name.endswith("_") and not name.startswith("__")) or name == "_state"
        ]
        for name in fitted:
            delattr(self, name)


def fitted_state(estimator: VAEEmbedder) -> FittedState:
    """The fitted state of a VAEEmbedder, for skvae's own modules.

    The one way in which :mod:`skvae.serialization` (and tests) reach the
    weights: users save and load whole estimators.
    """
    check_is_fitted(estimator)
    return estimator._state


def posterior_parameters(estimator: VAEEmbedder, X) -> tuple[np.ndarray, np.ndarray]:
    """Mean and log-variance of q(z | x) for every row of X (before the code),
    for skvae's own modules (:mod:`skvae.topics` draws from the posterior)."""
    X = estimator._fitted_input(X)
    return posterior_moments(estimator._inference_network(), X)


def restore_fitted(
    estimator: VAEEmbedder, state: FittedState, n_iter: int, dtype
) -> VAEEmbedder:
    """Make an unfitted estimator the fitted model ``state`` describes."""
    estimator._set_state(state, np.dtype(dtype))
    estimator.n_iter_ = n_iter
    estimator.random_state_ = check_random_state(estimator.random_state)
    return estimator
