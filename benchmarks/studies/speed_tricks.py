"""Study: what each of skvae's speed tricks buys at default settings.

Times training epochs of ``VAEEmbedder()`` (50 dimensions, every other
parameter at its default) on three suite corpora, counts: 20 Newsgroups
(21k terms: the sampled softmax is on), Reuters R52 and the election tweets
(the exact softmax, in decoder blocks of at most 16 MB); and of the VAE that
``WordEmbedder()`` trains on the PPMI rows of 20 Newsgroups' training
documents in the word-vector benchmark's vocabulary (the exact softmax at
512 rows of about 25k features: 50 MB blocks).  Each variant switches one trick off, or
swaps it for the standard remedy the issue names, in a fresh process:

- ``fresh-buffers``: the scratch buffers hand out a new tensor at every
  step (what plain torch code does);
- ``fresh-buffers+malloc-tunables``: the same, with glibc told to keep freed
  memory instead of unmapping it (``GLIBC_TUNABLES`` mmap_max=0,
  trim_threshold 4 GiB): the allocator remedy;
- ``dense-adam``: no row-sparse gradient for the encoder's vocabulary-sized
  weight, so every step is torch's fused Adam;
- ``exact-softmax``: ``softmax_samples=None``;
- ``autograd-multinomial``: the multinomial log-likelihood through
  log_softmax and autograd instead of its hand-written backward.

Run from the repository root (about three minutes)::

    python benchmarks/studies/speed_tricks.py \\
        --output benchmarks/studies/results/speed_tricks.md
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import harness  # noqa: E402

VARIANTS = (
    "default",
    "fresh-buffers",
    "fresh-buffers+malloc-tunables",
    "dense-adam",
    "exact-softmax",
    "autograd-multinomial",
)
CORPORA = ("20newsgroups", "reuters-r52", "election-tweets", "word-vectors")
MALLOC_TUNABLES = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296"


def _patch(variant: str) -> dict:
    """Switch one trick off in this process; the estimator's extra params."""
    import torch
    from torch.nn import functional as F

    from skvae._kernels import scratch, sparse
    from skvae._model import likelihoods as _likelihoods

    if variant.startswith("fresh-buffers"):

        def fresh(self, name, shape, dtype, device):
            return torch.empty(shape, dtype=dtype, device=device)

        scratch.ScratchBuffers.get = fresh
    elif variant == "dense-adam":
        sparse._lazy = lambda n_rows, n_features: False
    elif variant == "exact-softmax":
        return {"softmax_samples": None}
    elif variant == "autograd-multinomial":

        def log_likelihood(eta, x):
            counts = sparse.stored_values(x)
            log_p = sparse.gather(x, F.log_softmax(eta, dim=1))
            return sparse.row_sum(x, counts * log_p)

        _likelihoods.multinomial_log_likelihood = log_likelihood
    return {}


def worker(variant: str, corpus_name: str, n_epochs: int) -> dict:
    """Seconds per training epoch of the default model, after one warm-up."""
    extra = _patch(variant)
    import numpy as np

    from skvae import VAEEmbedder
    from skvae._model.settings import network_spec, resolve_device, training_settings
    from skvae._model.training import (
        kl_weight,
        make_optimizer,
        new_network,
        run_single_epoch,
    )
    from skvae.datasets import make_vectorizer

    if corpus_name == "word-vectors":
        # WordEmbedder's VAE at its defaults, on 20 Newsgroups' PPMI rows.
        from skvae.text import PPMITransformer, WordContexts, WordEmbedder

        words = WordEmbedder(random_state=0)
        from sklearn.feature_extraction.text import CountVectorizer

        docs = harness.load_corpus("20newsgroups").train
        # The word-vector benchmark's vocabulary, as it builds it.
        vocabulary = CountVectorizer(min_df=5, max_df=0.5).fit(docs).vocabulary_
        contexts = WordContexts(5, vocabulary=sorted(vocabulary), random_state=0)
        X = PPMITransformer().fit_transform(contexts.fit_transform(docs))
        vae = VAEEmbedder(
            words.n_components,
            likelihood="multinomial",
            hidden_layer_sizes=words.hidden_layer_sizes,
            batch_size=words.batch_size,
            random_state=0,
            **extra,
        )
    else:
        corpus = harness.load_corpus(corpus_name)
        X, _ = corpus.vectorize(make_vectorizer("counts"))
        X = X.astype(np.float64)
        vae = harness.make_vae(50, random_state=0, **extra)
    X = vae._validate_input(X, reset=True)
    spec = network_spec(vae, X)
    device = resolve_device(vae)
    settings = training_settings(vae, X, spec, device)
    rng = np.random.RandomState(0)
    network = new_network(spec, X, device)
    optimizer = make_optimizer(network, settings)
    seconds = []
    for epoch in range(n_epochs + 1):
        start = time.perf_counter()
        run_single_epoch(
            network, optimizer, X, kl_weight(epoch, settings), settings, rng
        )
        seconds.append(time.perf_counter() - start)
    return {
        "seconds": seconds[1:],
        "softmax_samples": settings.softmax_samples,
        "batch_size": settings.batch_size,
        "shape": list(X.shape),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "CORPUS"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA))
    parser.add_argument("--output", type=pathlib.Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker, args.epochs)))
        return

    header = harness.start_run()
    rows = []
    for corpus in args.corpora:
        baseline = None
        for variant in args.variants:
            env = dict(os.environ)
            if variant.endswith("malloc-tunables"):
                env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
            medians, info = [], {}
            # Repeats interleave with nothing else: one process at a time.
            for _ in range(args.repeats):
                command = [sys.executable, __file__, "--worker", variant, corpus]
                command += ["--epochs", str(args.epochs)]
                out = subprocess.run(
                    command, env=env, capture_output=True, text=True, check=True
                )
                info = json.loads(out.stdout.strip().splitlines()[-1])
                medians.append(statistics.median(info["seconds"]))
            median = statistics.median(medians)
            baseline = baseline or median
            rows.append(
                [
                    corpus,
                    variant,
                    f"{median:.3f} ({min(medians):.3f}-{max(medians):.3f})",
                    f"{median / baseline:.2f}x",
                    f"{info['shape'][0]} x {info['shape'][1]}",
                    str(info["softmax_samples"]),
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    table = harness.markdown_table(
        [
            "corpus",
            "variant",
            "s / epoch, median (range over processes)",
            "vs default",
            "training matrix",
            "softmax samples",
        ],
        rows,
    )
    text = "\n".join([*header, "", table, ""])
    print(text)
    if args.output:
        args.output.write_text(
            "# Speed tricks at default settings\n\n"
            f"`python benchmarks/studies/speed_tricks.py` ({args.epochs} epochs "
            f"after one warm-up, median per process, {args.repeats} processes "
            "per variant).\n\n" + text
        )


if __name__ == "__main__":
    main()
