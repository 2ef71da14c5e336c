"""Study: how the three uses of the embeddings evolve epoch by epoch.

Trains ``VAEEmbedder`` on one suite corpus (counts, the vocabulary users keep)
one epoch at a time with ``partial_fit`` and, at a few epochs, measures the
embeddings as the suite does: classification accuracy, 10-nearest-neighbour
accuracy and k-means NMI, beside the training loss. It shows where the
embeddings peak, and whether the stopping rules, which read only the loss,
can see that peak. ``partial_fit`` has no phase without word dropout, so on
corpora where word dropout is on the curve is that of the dropout phase.

Run from the repository root::

    python benchmarks/studies/trace_embeddings.py --corpus health-tweets \\
        --n-docs 12000 --vae-params '{"beta": 0.5}'
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import warnings
from collections.abc import Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import harness  # noqa: E402

from skvae.datasets import make_vectorizer  # noqa: E402

EPOCHS = (1, 2, 3, 5, 8, 12, 16, 20, 30, 40, 60, 80, 100, 130, 160, 200)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=tuple(harness.CORPORA), required=True)
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--n-components", type=int, default=50)
    harness.add_common_arguments(parser)
    args = parser.parse_args(argv)
    corpus = harness.load_corpus(args.corpus, n_docs=args.n_docs)
    X_train, X_test = corpus.vectorize(make_vectorizer("counts"))
    lines = [*harness.start_run(), corpus.describe(), f"counts: {X_train.shape}"]
    vae = harness.make_vae(args.n_components, **args.vae_params)
    rows = []
    for epoch in range(1, args.max_epochs + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vae.partial_fit(X_train)
        if epoch in EPOCHS or epoch == args.max_epochs:
            uses = harness.three_uses(vae, X_train, X_test, corpus)
            rows.append([epoch, f"{vae.loss_curve_[-1]:.3f}", *uses])
            print(*rows[-1], flush=True)
    table = harness.markdown_table(
        ["epoch", "training loss", "classification", "10-NN", "NMI"], rows
    )
    harness.write_markdown(args.output, ["\n\n".join(lines), table])


if __name__ == "__main__":
    main()
