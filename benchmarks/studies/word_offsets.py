"""Study: where do WordEmbedder's analogy offsets go?

WordEmbedder ranks related words well but solves a third as many of Google's
analogy questions (3CosAdd) as PPMI-SVD on 20 Newsgroups
(``benchmarks/results/word_vectors.md``).  This scores, on one count matrix
(``WordContexts(5)`` of all 20 Newsgroups documents, the word-vector
benchmark's vocabulary) and its PPMI rows, the choices the issue names:

- **the view**: the posterior means, the decoder weights, their unit sum
  (the default), each also centred (the mean vector of the vocabulary
  subtracted: 3CosAdd adds and subtracts vectors, so a direction every word
  shares only adds noise to the offsets);
- **the encoder**: the default's nonlinear encoder against a linear one;
- **the likelihood**: the multinomial against a Gaussian on the same PPMI
  rows: with a linear encoder and decoder, a Gaussian VAE's optimum is
  probabilistic PCA (Tipping & Bishop, 1999), in closed form from the SVD
  ``X = U S V'`` (n rows): posterior means ``U * sqrt(1 - n sigma2 / S**2)``
  up to a common scale, ``sigma2`` the mean variance of the discarded
  directions;
- **how the sum combines** the posterior means and the decoder weights:
  unit rows added (the default), or each matrix scaled by one factor (its
  mean row norm) before adding, which keeps the offsets of each part;
- **the count model's knobs** of Levy, Goldberg & Dagan (2015) on PPMI-SVD:
  the eigenvalue weighting ``U * S**p`` (p = 1, 0.5, 0) and ``w + c``.

Each row: WordSim353, SimLex-999, MEN and Rare Words (Spearman rho on the
pairs the vocabulary covers) and the analogy accuracy, semantic and
syntactic sections apart.  One seed.

With ``--sampled-softmax`` it instead times the default VAE against the same
VAE with the multinomial's sampled softmax (1,000 sampled terms a step) on
the same rows, in one process, and scores both sums and posterior means.

Run from the repository root (about ten minutes; three with
``--sampled-softmax``)::

    python benchmarks/studies/word_offsets.py
    python benchmarks/studies/word_offsets.py --sampled-softmax
"""

from __future__ import annotations

import pathlib
import sys
import time
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import bench_word_vectors as bench  # noqa: E402
import numpy as np  # noqa: E402
from scipy.sparse.linalg import svds  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skvae import VAEEmbedder  # noqa: E402
from skvae._word_embedder import unit_rows  # noqa: E402
from skvae.text import PPMITransformer, WordContexts, to_keyed_vectors  # noqa: E402

N_COMPONENTS = 100
SETS = ("WS353", "SimLex", "MEN", "RW")
#: The WordEmbedder defaults' VAE, and the variants the study swaps in.
VAE_DEFAULTS = {
    "likelihood": "multinomial",
    "hidden_layer_sizes": (256,),
    "batch_size": 512,
    "max_iter": 12,
    "random_state": bench.SEED,
}
VAE_VARIANTS = {
    "multinomial, encoder (256,) (the default)": {},
    "multinomial, linear encoder": {"hidden_layer_sizes": ()},
}


def analogies(vocabulary: dict[str, int], vectors: np.ndarray) -> tuple[float, ...]:
    """3CosAdd accuracy: all questions, semantic sections, syntactic sections."""
    from gensim.test.utils import datapath

    terms = sorted(vocabulary, key=vocabulary.get)
    keyed = to_keyed_vectors((vectors.astype(np.float32), terms))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total, sections = keyed.evaluate_word_analogies(
            datapath("questions-words.txt"), case_insensitive=True
        )

    def accuracy(chosen):
        right = sum(len(s["correct"]) for s in chosen)
        return right / max(1, right + sum(len(s["incorrect"]) for s in chosen))

    parts = [s for s in sections if s["section"] != "Total accuracy"]
    syntactic = [s for s in parts if s["section"].startswith("gram")]
    semantic = [s for s in parts if not s["section"].startswith("gram")]
    return total, accuracy(semantic), accuracy(syntactic)


def row(name, vocabulary, vectors, sets) -> str:
    model = bench.WordVectors(name, vocabulary, vectors, 0.0)
    bench.evaluate([model], sets)
    rhos = [model.scores[s]["rho"] for s in SETS]
    cells = [f"{r:.3f}" for r in rhos] + [
        f"{a:.3f}" for a in analogies(vocabulary, vectors)
    ]
    line = f"| {name} | " + " | ".join(cells) + " |"
    print(line, flush=True)
    return line


def views(name: str, posterior: np.ndarray, decoder: np.ndarray):
    """The views of one VAE fit, each raw and centred."""

    def scaled(vectors):
        return vectors / np.linalg.norm(vectors, axis=1).mean()

    for view, vectors in (
        ("posterior", posterior),
        ("decoder", decoder),
        ("sum of unit rows", unit_rows(posterior) + unit_rows(decoder)),
        ("sum of scaled matrices", scaled(posterior) + scaled(decoder)),
    ):
        yield f"{name}: {view}", vectors
        yield f"{name}: {view}, centred", vectors - vectors.mean(axis=0)


def gensim_rows(corpus, sets) -> list[str]:
    """word2vec and FastText, as the word-vector benchmark fits them."""
    lines = []
    for fit in (bench.fit_word2vec, bench.fit_fasttext):
        model = fit(corpus, N_COMPONENTS)
        lines.append(row(model.name, model.vocabulary, model.vectors, sets))
    return lines


def fit_vae(rows, variant: dict) -> tuple[VAEEmbedder, float]:
    """The WordEmbedder defaults' VAE with ``variant``, and its fit seconds."""
    vae = VAEEmbedder(N_COMPONENTS, **{**VAE_DEFAULTS, **variant})
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        vae.fit(rows)
    return vae, time.perf_counter() - start


def sampled_softmax(corpus, rows, sets) -> None:
    """Time and score the default VAE against its sampled-softmax variant."""
    for label, variant in (
        ("exact softmax (the default)", {}),
        ("sampled softmax, 1,000 terms", {"softmax_samples": 1000}),
    ):
        vae, seconds = fit_vae(rows, variant)
        print(f"{label}: {vae.n_iter_} epochs, VAE fit {seconds:.1f} s", flush=True)
        posterior = vae.transform(rows)
        decoder = np.ascontiguousarray(vae.components_.T)
        summed = unit_rows(posterior) + unit_rows(decoder)
        row(f"{label}: sum of unit rows", corpus.vocabulary, summed, sets)
        row(f"{label}: posterior", corpus.vocabulary, posterior, sets)


def main() -> None:
    corpus = bench.load_corpus()
    sets = {**bench.load_similarity_sets(), **bench.load_extra_similarity_sets()}
    start = time.perf_counter()
    counts = WordContexts(
        bench.WINDOW, vocabulary=corpus.vocabulary, random_state=bench.SEED
    ).fit_transform(corpus.docs)
    rows = PPMITransformer().fit_transform(counts)
    print(f"counting and PPMI {time.perf_counter() - start:.1f} s")
    if "--sampled-softmax" in sys.argv[1:]:
        sampled_softmax(corpus, rows, sets)
        return
    vocabulary = corpus.vocabulary
    print(f"{rows.shape[0]} terms, {rows.nnz} stored PPMI entries")
    header = (
        "| vectors | "
        + " | ".join(f"{s} rho" for s in SETS)
        + " | analogies | semantic | syntactic |"
    )
    lines = [header, "|---|" + "---:|" * (len(SETS) + 3)]
    print("\n".join(lines))

    U, S, Vt = svds(rows, k=N_COMPONENTS, random_state=bench.SEED)
    order = np.argsort(-S)
    U, S, V = U[:, order], S[order], Vt[order].T
    for p in (1.0, 0.5, 0.0):
        lines.append(row(f"PPMI-SVD, U S^{p:g}", vocabulary, U * S**p, sets))
    lines.append(
        row("PPMI-SVD, U S^0.5 + V S^0.5 (w + c)", vocabulary, (U + V) * S**0.5, sets)
    )
    n_rows, n_columns = rows.shape
    discarded = (rows.multiply(rows).sum() - np.sum(S**2)) / n_rows
    sigma2 = discarded / (n_columns - N_COMPONENTS)
    ppca = U * np.sqrt(np.clip(1 - n_rows * sigma2 / S**2, 0, None))
    lines.append(row("probabilistic PCA posterior means", vocabulary, ppca, sets))
    half = U * S**0.5
    lines.append(
        row("PPMI-SVD, U S^0.5, centred", vocabulary, half - half.mean(0), sets)
    )

    for label, variant in VAE_VARIANTS.items():
        vae, seconds = fit_vae(rows, variant)
        print(f"{label}: {vae.n_iter_} epochs, {seconds:.1f} s", flush=True)
        posterior = vae.transform(rows)
        decoder = np.ascontiguousarray(vae.components_.T)
        for name, vectors in views(label, posterior, decoder):
            lines.append(row(name, vocabulary, vectors, sets))
    lines += gensim_rows(corpus, sets)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
