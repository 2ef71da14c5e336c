"""The speed tricks, behind one interface: what the model calls to be fast.

The model (network, likelihoods, training loop) imports from this package
only, never from its modules:

- sparse minibatches (:class:`SparseRows`, :func:`rows_to_tensor`) and the
  operations on their stored entries, so that a batch costs its non-zeros;
- :func:`matmul` with a row-sparse gradient for a vocabulary-sized weight,
  and :class:`LazyAdam`, which updates only the rows such a gradient holds;
- :func:`multinomial_log_likelihood`, exact, with a hand-written backward
  over eta's own memory, and :func:`sampled_multinomial_log_likelihood`,
  whose normaliser is estimated from sampled features;
- :class:`ScratchBuffers` / :func:`decoder_product`: the decoder's product
  over all features in reused memory, in a lower precision on request.

Which of them pays at default settings, and by how much, is measured by
``benchmarks/studies/speed_tricks.py`` (results in
``benchmarks/studies/results/speed_tricks.md``; the user guide's scaling page
sums them up).
"""

from .lazy_adam import LazyAdam
from .multinomial import multinomial_log_likelihood, sampled_multinomial_log_likelihood
from .scratch import ScratchBuffers, decoder_product
from .sparse import (
    Rows,
    SparseRows,
    gather,
    map_stored,
    matmul,
    row_sum,
    rows_to_tensor,
    scale_columns,
    stored_values,
)

__all__ = [
    "LazyAdam",
    "Rows",
    "ScratchBuffers",
    "SparseRows",
    "decoder_product",
    "gather",
    "map_stored",
    "matmul",
    "multinomial_log_likelihood",
    "row_sum",
    "rows_to_tensor",
    "sampled_multinomial_log_likelihood",
    "scale_columns",
    "stored_values",
]
