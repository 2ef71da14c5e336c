"""The generative model's methods of VAEEmbedder: scores, bounds, samples.

A mixin, so that the facade's module stays the estimator's parameters, its
training and its transformer methods; it relies on the estimator's
``_fitted_input``, ``_inference_network`` and ``_finite``.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted

from ._model.inference import elbo, importance_weighted_bound, prior_samples
from ._model.likelihoods import LIKELIHOOD_CLASSES


class GenerativeMixin:
    """:meth:`score_samples`, :meth:`score`, :meth:`perplexity`,
    :meth:`log_likelihood` and :meth:`sample` of a fitted VAE."""

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, computed with beta=1.

        ``E_q[log p(x|z)] - KL(q(z|x) || p(z))``, a lower bound on log p(x),
        with the latent's prior p(z) (N(0, I), or the logistic-normal
        approximation of a Dirichlet in topic mode).
        The expectation uses a fixed set of 32 quasi-random (scrambled Sobol)
        standard-normal draws shared by every row, so the value is
        deterministic and does not depend on the other rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        elbo : ndarray of shape (n_samples,)
            Per-sample ELBO (higher is better).

        See Also
        --------
        score : Mean ELBO of the samples.
        perplexity : Per-word perplexity of documents.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
        >>> elbo = vae.score_samples(X)
        >>> elbo.shape
        (100,)
        >>> bool(np.all(elbo <= 0))  # a bound on the log-probability of counts
        True
        """
        X = self._fitted_input(X)
        network = self._inference_network()
        return self._finite(elbo(network, X, beta=1.0), "score_samples")

    def score(self, X, y=None):
        """Mean per-sample ELBO with beta=1: higher is better.

        Comparable across models fitted with different ``beta`` and
        ``n_components``, so GridSearchCV can select by it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean ELBO of the samples.

        See Also
        --------
        score_samples : ELBO of each sample.

        Examples
        --------
        >>> from sklearn.model_selection import GridSearchCV
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> search = GridSearchCV(
        ...     VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0),
        ...     {"beta": [0.1, 1.0]}, cv=2,
        ... ).fit(X)  # selects by the held-out score
        >>> search.best_params_
        {'beta': 1.0}
        """
        return float(np.mean(self.score_samples(X)))

    def perplexity(self, X, *, n_samples=None):
        """Per-word perplexity of X from a bound, as LatentDirichletAllocation's.

        ``exp(-sum_d bound_d / sum_d N_d)``, where ``bound_d`` is a lower
        bound on the log-probability of document d's word sequence (the
        multinomial coefficient left out) and ``N_d`` its number of observed
        words (soft counts: in units of ``count_scale``, see the
        ``likelihood`` parameter).  Lower is better; an upper bound on the
        true perplexity.  ``bound_d`` is the ELBO with beta = 1, as
        LatentDirichletAllocation's is its variational bound, or with
        ``n_samples`` the tighter importance-weighted bound of
        :meth:`log_likelihood`.  With the Poisson likelihood, ``bound_d`` is
        the full Poisson bound.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Document-word counts.

        n_samples : int or None, default=None
            None: the ELBO.  An int: the importance-weighted bound with that
            many samples (lower perplexity; it falls towards the true
            perplexity as ``n_samples`` grows).

        Returns
        -------
        perplexity : float
            Perplexity per word.

        Raises
        ------
        ValueError
            If the model's likelihood is not ``"multinomial"`` or
            ``"poisson"``, or X holds no words.

        See Also
        --------
        sklearn.decomposition.LatentDirichletAllocation.perplexity : The same
            measure for LDA.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X[:80])
        >>> held_out = vae.perplexity(X[80:])
        >>> bool(held_out > 1.0)
        True
        >>> bool(vae.perplexity(X[80:], n_samples=100) < held_out)  # tighter
        True
        """
        check_is_fitted(self)
        if not LIKELIHOOD_CLASSES[self.likelihood_].counts:
            counts = [name for name, cls in LIKELIHOOD_CLASSES.items() if cls.counts]
            raise ValueError(
                f"perplexity is defined for the count likelihoods {counts}; "
                f"this model uses {self.likelihood_!r}."
            )
        X = self._fitted_input(X)
        if n_samples is not None:
            check_scalar(n_samples, "n_samples", Integral, min_val=1)
        total = np.nansum(X.data if sp.issparse(X) else X)
        if total == 0:
            raise ValueError("perplexity needs at least one word in X.")
        network = self._inference_network()
        if n_samples is None:
            bounds = elbo(network, X, per_word=True)
        else:
            bounds = importance_weighted_bound(network, X, n_samples, per_word=True)
        bound = self._finite(bounds, "perplexity").sum()
        return float(np.exp(-bound / network.likelihood.n_events(total)))

    def log_likelihood(self, X, *, n_samples=100):
        """Importance-weighted estimate of log p(x) for each sample.

        The importance-weighted bound of Burda et al. (2016),
        ``log (1/K sum_k p(x, z_k) / q(z_k | x))`` with K = ``n_samples``
        draws z_k from the encoder's posterior: a lower bound on log p(x)
        like the ELBO of :meth:`score_samples`, at least as tight on average,
        and tighter as K grows (it reaches log p(x) as K goes to infinity).
        With K = 1 it is the ELBO's single-sample estimator.  The draws are
        fixed and shared by every row, so the result is deterministic and
        does not depend on the other rows.  Costs K decoder passes.

        LatentDirichletAllocation's ``score`` is a variational bound of the
        same kind as the ELBO; this estimate is closer to the true
        log-likelihood than either, so compare models on the same bound.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        n_samples : int, default=100
            Number of importance samples K per row.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Per-sample estimates (higher is better).

        See Also
        --------
        score_samples : The ELBO, a looser bound.
        perplexity : Per-word perplexity, from either bound.

        References
        ----------
        Burda, Y., Grosse, R. and Salakhutdinov, R. (2016). Importance Weighted
        Autoencoders. ICLR.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
        >>> elbo = vae.score_samples(X).mean()
        >>> tighter = vae.log_likelihood(X, n_samples=100).mean()
        >>> bool(tighter >= elbo)
        True
        """
        check_is_fitted(self)
        check_scalar(n_samples, "n_samples", Integral, min_val=1)
        X = self._fitted_input(X)
        network = self._inference_network()
        bound = importance_weighted_bound(network, X, n_samples)
        return self._finite(bound, "log_likelihood")

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the generative model p(z) p(x|z).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples in the input's space (counts for the count likelihoods,
            drawn with a Poisson document length around the mean training
            length for the multinomial), as float64.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEEmbedder
        >>> X = np.random.RandomState(0).poisson(1.0, size=(100, 20))
        >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
        >>> X_new = vae.sample(5, random_state=0)
        >>> X_new.shape
        (5, 20)
        >>> bool(np.all(X_new == np.round(X_new)) and np.all(X_new >= 0))  # counts
        True
        """
        check_is_fitted(self)
        check_scalar(n_samples, "n_samples", Integral, min_val=1)
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        rng = np.random.default_rng(seed)
        return prior_samples(self._inference_network(), n_samples, rng)
