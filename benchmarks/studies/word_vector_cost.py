"""Study: the least time WordEmbedder's fit can take at its exact softmax.

The word-vector benchmark holds WordEmbedder's fit to at most twice
word2vec's time.  Every training step of its VAE scores a batch of PPMI
term rows against the softmax over every context term: three products of
shape (batch x n_components) by (n_components x n_terms), the decoder's
output and the gradients of the latent codes and of the decoder weights.
However fast the rest of a step, those products and the context counting
must fit in the budget.  This times, on the benchmark's corpus and
vocabulary (all 20 Newsgroups documents, 29,408 terms):

- word2vec with the benchmark's settings, tokenising included, seeds 0-2
  (its time varies by a third from run to run: the median is the unit);
- WordEmbedder's counting and PPMI (``WordContexts`` + ``PPMITransformer``);
- the three products at the fit's shapes and in the precision the fit
  multiplies in (``precision="auto"``), median of 20 calls each;
- a default ``WordEmbedder`` fit (seed 0), whose epochs and steps turn the
  products into the floor ``counting + epochs x steps x products``.

Run from the repository root (about two minutes; nothing else running)::

    python benchmarks/studies/word_vector_cost.py \\
        --output benchmarks/studies/results/word_vector_cost.md
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
import time
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import bench_word_vectors as bench  # noqa: E402
import harness  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skvae._model.settings import matmul_dtype  # noqa: E402
from skvae.text import PPMITransformer, WordEmbedder  # noqa: E402

N_COMPONENTS = 100
N_CALLS = 20


def seconds_of(function, n_calls: int = N_CALLS) -> float:
    """Median wall-clock seconds of ``function()`` after one warm-up call."""
    function()
    times = []
    for _ in range(n_calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def product_seconds(batch: int, n_terms: int, dtype: torch.dtype) -> float:
    """Seconds of one step's three decoder products at these shapes, into
    reused outputs as the fit's (``skvae/_kernels/scratch.py``)."""
    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(batch, N_COMPONENTS, generator=generator, dtype=dtype)
    weight = torch.randn(n_terms, N_COMPONENTS, generator=generator, dtype=dtype)
    gradient = torch.randn(batch, n_terms, generator=generator, dtype=dtype)
    output = torch.empty(batch, n_terms, dtype=dtype)
    codes_gradient = torch.empty(batch, N_COMPONENTS, dtype=dtype)
    weight_gradient = torch.empty(n_terms, N_COMPONENTS, dtype=dtype)
    return sum(
        seconds_of(product)
        for product in (
            lambda: torch.mm(codes, weight.T, out=output),
            lambda: torch.mm(gradient, weight, out=codes_gradient),
            lambda: torch.mm(gradient.T, codes, out=weight_gradient),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=pathlib.Path, help="Also write the table.")
    args = parser.parse_args()
    harness.warm_up_torch()
    corpus = bench.load_corpus()
    word2vec_runs = [
        bench.fit_word2vec(corpus, N_COMPONENTS, seed).fit_seconds for seed in range(3)
    ]
    word2vec = float(np.median(word2vec_runs))
    start = time.perf_counter()
    contexts = bench.make_contexts(corpus, {})
    PPMITransformer().fit_transform(contexts.fit_transform(corpus.docs))
    counting = time.perf_counter() - start

    words = WordEmbedder(
        N_COMPONENTS, contexts=bench.make_contexts(corpus, {}), random_state=0
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        words.fit(corpus.docs)
    fit = time.perf_counter() - start

    n_terms = len(words.terms_)
    batch = words.batch_size
    steps = words.n_iter_ * math.ceil(n_terms / batch)
    dtype = matmul_dtype("auto", torch.device("cpu")) or torch.float32
    products = product_seconds(batch, n_terms, dtype)
    floor = counting + steps * products
    budget = 2 * word2vec
    runs = ", ".join(f"{seconds:.1f}" for seconds in word2vec_runs)
    rows = [
        [f"word2vec, tokenising included: median of {runs}", f"{word2vec:.1f}", "1.0x"],
        ["the budget: twice word2vec's", f"{budget:.1f}", "2.0x"],
        ["WordEmbedder's counting and PPMI", f"{counting:.1f}", ""],
        [
            f"the decoder's three products, {steps} steps "
            f"({words.n_iter_} epochs) of {batch} x {n_terms} x {N_COMPONENTS}, "
            f"{str(dtype).removeprefix('torch.')}, {products * 1e3:.1f} ms a step",
            f"{steps * products:.1f}",
            "",
        ],
        [
            "the floor: counting + products",
            f"{floor:.1f}",
            f"{floor / word2vec:.1f}x",
        ],
        [
            "the default WordEmbedder fit, everything",
            f"{fit:.1f}",
            f"{fit / word2vec:.1f}x",
        ],
    ]
    table = harness.markdown_table(["", "seconds", "x word2vec"], rows)
    print(table)
    machine = "\n".join(f"- {line}" for line in harness.machine_info())
    harness.write_markdown(
        args.output,
        ["`python benchmarks/studies/word_vector_cost.py`", machine, table],
        title="The least time of WordEmbedder's fit at the exact softmax",
    )


if __name__ == "__main__":
    main()
