"""The model under the facade: settings, network, training and inference.

Layers, each importing only those below it:

- :mod:`.settings`: what the estimator's parameters resolve to for the data
  (every ``"auto"``), before any torch code runs;
- :mod:`.training` (with :mod:`.stopping`, :mod:`.masking`, :mod:`.batching`)
  and :mod:`.inference`: the training loop and what a fitted network computes;
- :mod:`.state`: the fitted state as plain numpy;
- :mod:`.network`, composed of a :mod:`.latents` kind and a
  :mod:`.likelihoods` kind;
- below them all, the speed tricks of :mod:`skvae._kernels`.
"""
