"""How much of tomotopy's fit time topic mode's decoder pass alone takes.

Issue 14 asks topic mode to fit the 2,000-term 20 Newsgroups matrix of
``bench_text.py`` in at most tomotopy's time (200 Gibbs sweeps, 2 workers)
with NPMI above tomotopy's. This script measures a lower bound on topic
mode's time at its default number of epochs, on this machine and in the same
minutes as tomotopy:

- tomotopy's LDA (:func:`harness.make_tomotopy`) is fitted twice;
- ``VAEEmbedder(latent="topic")`` is fitted with its defaults, and its epochs
  counted and timed;
- with the fitted network, one epoch of the decoder and the likelihood alone
  is timed: for every training minibatch (the fit's batch size and decoder
  precision; the batches are built beforehand), topic proportions of random
  codes go through the decoder's product over the vocabulary, its batch
  norm, the multinomial log-likelihood of the damped counts and the backward
  pass of all of these. No encoder, no optimizer step, no data preparation:
  a training epoch does all of this and more, so the fit's epochs times this
  time is less than any fit at the defaults' number of epochs can take.

The wrapper around ``skvae._model.training.run_single_epoch`` only reads the
network and its settings (instrumentation; it changes nothing).

Run from the repository root::

    python benchmarks/studies/topic_floor.py \\
        --output benchmarks/studies/results/topic_floor.md

Times are wall-clock seconds on whatever machine this is: compare only
figures from the same run.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from collections.abc import Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import harness  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import skvae._model.training as training  # noqa: E402
from skvae import VAEEmbedder  # noqa: E402
from skvae._kernels import rows_to_tensor  # noqa: E402
from skvae._model.batching import shuffled_batches  # noqa: E402
from skvae.datasets import make_vectorizer  # noqa: E402


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Topic mode's decoder pass over its default epochs, against "
        "tomotopy's whole fit in the same run.",
    )
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--max-features", type=int, default=harness.MAX_FEATURES)
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="decoder epochs to time; the fastest counts (default: 5)",
    )
    harness.add_common_arguments(parser, vae_params="unused")
    return parser.parse_args(argv)


def fit_topic_mode(X, n_components: int):
    """Fit topic mode with its defaults; its network and settings, the fit's
    seconds and its epochs' seconds."""
    seen = {}
    epoch_seconds = []
    original = training.run_single_epoch

    def timed(network, optimizer, X_epoch, weight, settings, rng):
        start = time.perf_counter()
        loss = original(network, optimizer, X_epoch, weight, settings, rng)
        epoch_seconds.append(time.perf_counter() - start)
        seen.update(network=network, settings=settings)
        return loss

    model = VAEEmbedder(n_components, latent="topic", random_state=harness.RANDOM_STATE)
    training.run_single_epoch = timed
    try:
        start = time.perf_counter()
        model.fit(X)
        seconds = time.perf_counter() - start
    finally:
        training.run_single_epoch = original
    return seen["network"], seen["settings"], seconds, epoch_seconds


def decoder_epoch_seconds(network, settings, X, repeats: int) -> float:
    """The fastest of ``repeats`` epochs of the decoder and likelihood alone,
    forward and backward, over X's minibatches."""
    network.train()
    placement = next(network.parameters())
    rng = np.random.RandomState(0)
    targets = [
        network.training_target(
            rows_to_tensor(X, rows, dtype=placement.dtype, device=placement.device)
        )
        for rows in shuffled_batches(X.shape[0], settings.batch_size, rng, True)
    ]
    precision = training.training_precision(network, settings)
    n_components = network.spec.n_components
    generator = torch.Generator().manual_seed(0)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for target in targets:
            network.zero_grad(set_to_none=True)
            z = torch.randn(target.shape[0], n_components, generator=generator)
            code = network.latent.code(z.requires_grad_())
            eta = network.decode(code, precision)
            log_lik = network.likelihood.log_prob(target, eta, None)
            log_lik.sum().backward()
        best = min(best, time.perf_counter() - start)
    network.zero_grad(set_to_none=True)
    return best


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    info = harness.start_run()
    corpus = harness.load_corpus("20newsgroups", n_docs=args.n_docs)
    vectorizer = make_vectorizer("counts", max_features=args.max_features)
    X_train, _ = corpus.vectorize(vectorizer)
    vocabulary = vectorizer.get_feature_names_out()
    k = args.n_components
    data_line = (
        f"data: {corpus.title} ({corpus.source}), {X_train.shape[0]} training "
        f"documents, {X_train.shape[1]} terms, n_components={k}"
    )
    print(data_line)

    tomotopy_seconds = []
    for _ in range(2):
        print("fitting tomotopy ...", flush=True)
        start = time.perf_counter()
        harness.make_tomotopy(k, vocabulary=vocabulary).fit(X_train)
        tomotopy_seconds.append(time.perf_counter() - start)
    print('fitting VAEEmbedder(latent="topic") ...', flush=True)
    network, settings, fit_seconds, epochs = fit_topic_mode(X_train, k)
    decoder = decoder_epoch_seconds(network, settings, X_train, args.repeats)
    n_epochs = len(epochs)
    unit = float(np.mean(tomotopy_seconds))

    rows = [
        [
            "tomotopy LDA (200 iterations, 2 workers), two fits",
            "",
            " / ".join(harness.fmt(s, ".2f") for s in tomotopy_seconds),
            "",
            "1.00",
        ],
        [
            'VAEEmbedder(latent="topic"), defaults: the whole fit',
            n_epochs,
            harness.fmt(fit_seconds, ".2f"),
            harness.fmt(float(np.median(epochs)), ".3f"),
            harness.fmt(fit_seconds / unit, ".2f"),
        ],
        [
            "its decoder and likelihood alone, forward and backward, "
            "times the fit's epochs",
            n_epochs,
            harness.fmt(decoder * n_epochs, ".2f"),
            harness.fmt(decoder, ".3f"),
            harness.fmt(decoder * n_epochs / unit, ".2f"),
        ],
    ]
    table = harness.markdown_table(
        ["what", "epochs", "s", "s / epoch", "x tomotopy (mean)"], rows
    )
    print(f"\n{table}")
    header = "\n".join(
        f"- {line}"
        for line in [
            *info,
            data_line,
            f"topic mode's batch size {settings.batch_size}, decoder precision "
            f"{training.training_precision(network, settings)}; s / epoch is the "
            f"median epoch of the fit, and the fastest of {args.repeats} "
            "decoder-only epochs",
        ]
    )
    harness.write_markdown(
        args.output,
        [header, table],
        title="Topic mode's decoder pass against tomotopy",
    )


if __name__ == "__main__":
    main()
