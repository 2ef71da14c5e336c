"""Which rows make each minibatch: shuffled for training, in order for inference."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.utils import gen_batches

# Rows per inference batch are chosen so a dense float64 batch stays near 32 MB.
_INFERENCE_BATCH_ELEMENTS = 2**22


def shuffled_batches(
    n_samples: int, batch_size: int, rng: np.random.RandomState, shuffle: bool
) -> Iterator[np.ndarray]:
    """Index arrays covering ``range(n_samples)`` once, in random order.

    A last batch of a single row joins the one before it: batch normalisation
    cannot train on one row.
    """
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    for batch in training_batches(n_samples, batch_size):
        yield np.sort(order[batch])


def training_batches(n_samples: int, batch_size: int) -> list[slice]:
    """The positions of an epoch's minibatches: ``batch_size`` rows each, a
    last batch of one row joined to the one before it."""
    batches = list(gen_batches(n_samples, batch_size))
    if len(batches) > 1 and batches[-1].stop - batches[-1].start == 1:
        batches[-2:] = [slice(batches[-2].start, n_samples)]
    return batches


def inference_batches(n_samples: int, n_features: int) -> Iterator[slice]:
    """Contiguous slices sized to bound the memory of one dense batch."""
    batch_size = int(np.clip(_INFERENCE_BATCH_ELEMENTS // max(n_features, 1), 16, 4096))
    return gen_batches(n_samples, batch_size)
