"""Word-similarity benchmark: VAE word vectors vs word2vec and TF-IDF + SVD.

Every model is trained on the same documents (all 18,821 documents of 20
Newsgroups, from :func:`skvae.datasets.load_20newsgroups`) in the same run:

1. gensim ``Word2Vec`` (vector_size=100, min_count=5, workers=2, seed=0,
   epochs=5, other parameters at their defaults; tokens are ``doc.split()``);
2. ``TruncatedSVD`` of a ``TfidfVectorizer(min_df=5)`` document-term matrix;
   the word vectors are ``svd.components_.T``, with and without scaling by the
   singular values (the better of the two is marked as the baseline);
3. ``CountVectorizer(min_df=5)`` followed by ``skvae.VAEEmbedder``; the word
   vectors come from ``skvae.text.term_vectors(pipeline)`` when that function
   exists, else from ``vae.components_.T`` (the decoder loadings).

Each model's word vectors are scored on WordSim353 and SimLex-999 (shipped
with gensim's test data) by the Spearman correlation between the cosine
similarity of the two words and the human rating.  Pairs with a word missing
from a model's vocabulary are skipped: the table reports the coverage of each
model and, for a fair comparison, also the correlation on the pairs covered by
every model of the run.

Needs gensim (``pip install gensim``; 4.4.0 works with numpy 2.4).

Run from the repository root::

    python benchmarks/bench_word_vectors.py \\
        --output benchmarks/results/word_vectors.md

    # more VAE configurations in the same table, one row each
    python benchmarks/bench_word_vectors.py --n-components 100 \\
        --vae-params '{"likelihood": "multinomial"}' \\
        --vae-params '{"likelihood": "poisson"}'

    # quick smoke test on a subset
    python benchmarks/bench_word_vectors.py --n-docs 2000 --svd-components 100 \\
        --vae-params '{"max_iter": 3}'

Fit times are wall-clock seconds of one run, vectorizer included; compare only
times measured in the same run.  word2vec with ``workers=2`` is not bitwise
reproducible from run to run.
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import harness
import numpy as np
from scipy.stats import spearmanr
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline

from skvae import VAEEmbedder

#: Word-similarity sets: display name -> file name in gensim's test data.
SIMILARITY_SETS = {"WS353": "wordsim353.tsv", "SimLex": "simlex999.txt"}

Pair = tuple[str, str, float]


@dataclass
class WordVectors:
    """One model's word vectors and how they were obtained.

    Attributes
    ----------
    name : str
        Row label of the model in the results table.
    vocabulary : dict of str to int
        Row of ``vectors`` of each word.
    vectors : ndarray of shape (n_words, dim)
        One vector per word.
    fit_seconds : float
        Wall-clock time to fit the model, vectorizer included.
    scores : dict
        Filled by :func:`evaluate`: per similarity set, the correlations.
    """

    name: str
    vocabulary: dict[str, int]
    vectors: np.ndarray
    fit_seconds: float
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def dims(self) -> int:
        """Dimension of the word vectors."""
        return int(self.vectors.shape[1])


# ---------------------------------------------------------------- data


def load_pairs(path: str | pathlib.Path) -> list[Pair]:
    """Read a tab-separated ``word1 word2 score`` file, skipping ``#`` lines.

    Words are lower-cased to match the lower-cased corpus.  Lines whose third
    field is not a number (a header row) are skipped too.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.

    Returns
    -------
    pairs : list of (str, str, float)
        The word pairs and their human rating.
    """
    pairs: list[Pair] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                raise ValueError(f"{path}: expected 3 tab-separated fields: {line!r}")
            try:
                score = float(fields[2])
            except ValueError:
                continue  # a header row
            pairs.append((fields[0].strip().lower(), fields[1].strip().lower(), score))
    return pairs


def load_similarity_sets() -> dict[str, list[Pair]]:
    """Load WordSim353 and SimLex-999 from gensim's test data.

    Returns
    -------
    sets : dict of str to list of (str, str, float)
        Pairs of each set, keyed by the names of :data:`SIMILARITY_SETS`.
    """
    from gensim.test.utils import datapath

    return {name: load_pairs(datapath(file)) for name, file in SIMILARITY_SETS.items()}


# -------------------------------------------------------------- models


def fit_word2vec(docs: Sequence[str], *, seed: int = 0) -> WordVectors:
    """Train gensim's Word2Vec on whitespace-split documents.

    Parameters
    ----------
    docs : sequence of str
        The documents.
    seed : int, default=0
        Word2Vec's seed.

    Returns
    -------
    vectors : WordVectors
        The model's ``wv.vectors`` and vocabulary.
    """
    from gensim.models import Word2Vec

    start = time.perf_counter()
    sentences = [doc.split() for doc in docs]
    model = Word2Vec(
        sentences, vector_size=100, min_count=5, workers=2, seed=seed, epochs=5
    )
    seconds = time.perf_counter() - start
    return WordVectors(
        name="word2vec (gensim)",
        vocabulary=dict(model.wv.key_to_index),
        vectors=np.asarray(model.wv.vectors, dtype=np.float64),
        fit_seconds=seconds,
    )


def fit_svd(
    docs: Sequence[str], n_components_list: Sequence[int], *, seed: int = 0
) -> list[WordVectors]:
    """Fit TruncatedSVD on a TF-IDF matrix; word vectors with and without scaling.

    Parameters
    ----------
    docs : sequence of str
        The documents.
    n_components_list : sequence of int
        One SVD per number of components.
    seed : int, default=0
        TruncatedSVD's random_state.

    Returns
    -------
    vectors : list of WordVectors
        For each number of components, ``components_.T`` then
        ``components_.T * singular_values_``.
    """
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(min_df=5)
    X = vectorizer.fit_transform(docs)
    vectorizer_seconds = time.perf_counter() - start
    vocabulary = {w: i for i, w in enumerate(vectorizer.get_feature_names_out())}
    results = []
    for k in n_components_list:
        start = time.perf_counter()
        svd = TruncatedSVD(n_components=k, random_state=seed).fit(X)
        seconds = vectorizer_seconds + time.perf_counter() - start
        loadings = svd.components_.T.astype(np.float64)
        for label, vectors in (
            ("V", loadings),
            ("V*S", loadings * svd.singular_values_),
        ):
            results.append(
                WordVectors(
                    name=f"TF-IDF + SVD-{k}, {label}",
                    vocabulary=vocabulary,
                    vectors=vectors,
                    fit_seconds=seconds,
                )
            )
    return results


def find_term_vectors() -> Callable[..., np.ndarray] | None:
    """Return ``skvae.text.term_vectors`` if it exists, else None."""
    try:
        module = importlib.import_module("skvae.text")
    except ImportError:
        return None
    function = getattr(module, "term_vectors", None)
    return function if callable(function) else None


def fit_vae(
    docs: Sequence[str], params: dict[str, Any], label: str
) -> tuple[WordVectors, Pipeline]:
    """Fit CountVectorizer(min_df=5) + VAEEmbedder and extract word vectors.

    Parameters
    ----------
    docs : sequence of str
        The documents.
    params : dict
        Parameters of the VAEEmbedder.
    label : str
        Description of the extra (``--vae-params``) parameters, for the row
        label.

    Returns
    -------
    vectors : WordVectors
        The term vectors, from ``skvae.text.term_vectors`` when available,
        else ``vae.components_.T``.
    pipeline : Pipeline
        The fitted pipeline.
    """
    pipeline = make_pipeline(CountVectorizer(min_df=5), VAEEmbedder(**params))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(docs)
    seconds = time.perf_counter() - start
    terms = pipeline[0].get_feature_names_out()
    term_vectors = find_term_vectors()
    if term_vectors is not None:
        vectors = np.asarray(term_vectors(pipeline), dtype=np.float64)
        source = "term_vectors"
    else:
        vectors = pipeline[-1].components_.T.astype(np.float64)
        source = "components_.T"
    if vectors.shape[0] != len(terms):
        raise ValueError(
            f"{source} returned {vectors.shape[0]} rows for {len(terms)} terms."
        )
    vae = pipeline[-1]
    name = (
        f"skvae VAE-{vae.n_components} ({label}) "
        f"[{vae.likelihood_}, {vae.n_iter_} epochs, {source}]"
    )
    vocabulary = {w: i for i, w in enumerate(terms)}
    return WordVectors(name, vocabulary, vectors, seconds), pipeline


# ---------------------------------------------------------- evaluation


def cosine_similarities(model: WordVectors, pairs: Sequence[Pair]) -> np.ndarray:
    """Cosine similarity of each pair's word vectors (0 for a zero vector).

    Parameters
    ----------
    model : WordVectors
        The word vectors; every word of ``pairs`` must be in its vocabulary.
    pairs : sequence of (str, str, float)
        The word pairs.

    Returns
    -------
    similarities : ndarray of shape (len(pairs),)
    """
    rows1 = [model.vocabulary[w1] for w1, _, _ in pairs]
    rows2 = [model.vocabulary[w2] for _, w2, _ in pairs]
    a, b = model.vectors[rows1], model.vectors[rows2]
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = np.einsum("ij,ij->i", a, b)
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def spearman(model: WordVectors, pairs: Sequence[Pair]) -> float:
    """Spearman correlation of cosine similarities with the human ratings."""
    if len(pairs) < 3:
        return float("nan")
    human = np.array([score for _, _, score in pairs])
    return float(spearmanr(cosine_similarities(model, pairs), human).statistic)


def covers(model: WordVectors, pair: Pair) -> bool:
    """Whether both words of ``pair`` are in the model's vocabulary."""
    return pair[0] in model.vocabulary and pair[1] in model.vocabulary


def evaluate(
    models: Sequence[WordVectors], sets: dict[str, list[Pair]]
) -> dict[str, int]:
    """Score every model on every set, on its own covered pairs and common pairs.

    Fills ``model.scores[set_name]`` with ``rho``, ``n_used``, ``n_total`` and
    ``rho_common``.

    Parameters
    ----------
    models : sequence of WordVectors
        The models to compare.
    sets : dict of str to list of (str, str, float)
        The similarity sets.

    Returns
    -------
    n_common : dict of str to int
        Number of pairs covered by every model, per set.
    """
    n_common = {}
    for set_name, pairs in sets.items():
        common = [p for p in pairs if all(covers(m, p) for m in models)]
        n_common[set_name] = len(common)
        for model in models:
            used = [p for p in pairs if covers(model, p)]
            model.scores[set_name] = {
                "rho": spearman(model, used),
                "n_used": len(used),
                "n_total": len(pairs),
                "rho_common": spearman(model, common),
            }
    return n_common


def mean_common_rho(model: WordVectors) -> float:
    """Mean over the similarity sets of the correlation on the common pairs."""
    return float(np.mean([s["rho_common"] for s in model.scores.values()]))


def mark_svd_baselines(models: Sequence[WordVectors]) -> list[str]:
    """Mark the better SVD variant (V or V*S) of each size as the baseline.

    The better variant has the higher mean correlation on the common pairs;
    its name gets a ``**baseline**`` suffix.

    Returns
    -------
    notes : list of str
        One sentence per SVD size stating which variant won.
    """
    notes = []
    groups: dict[str, list[WordVectors]] = {}
    for model in models:
        if model.name.startswith("TF-IDF + SVD-"):
            groups.setdefault(model.name.rsplit(",", 1)[0], []).append(model)
    for prefix, group in groups.items():
        best = max(group, key=mean_common_rho)
        variant = best.name.rsplit(", ", 1)[1]
        scaled = "scaled by" if variant == "V*S" else "not scaled by"
        notes.append(
            f"{prefix}: baseline = {variant} (word vectors {scaled} the singular "
            f"values; mean common rho {mean_common_rho(best):.3f} vs "
            + ", ".join(f"{mean_common_rho(m):.3f}" for m in group if m is not best)
            + ")."
        )
        best.name += " **baseline**"
    return notes


# --------------------------------------------------------------- report


def format_table(models: Sequence[WordVectors], n_common: dict[str, int]) -> str:
    """The results as a markdown table.

    Parameters
    ----------
    models : sequence of WordVectors
        Evaluated models.
    n_common : dict of str to int
        Number of common pairs per set, shown in the header.

    Returns
    -------
    table : str
    """
    header = (
        "| model | dims | fit s | WS353 rho (coverage) | SimLex rho (coverage) "
        f"| WS353 rho common (n={n_common['WS353']}) "
        f"| SimLex rho common (n={n_common['SimLex']}) |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|"]
    for m in models:
        cells = [m.name, str(m.dims), f"{m.fit_seconds:.1f}"]
        for set_name in SIMILARITY_SETS:
            s = m.scores[set_name]
            cells.append(f"{s['rho']:.3f} ({s['n_used']}/{s['n_total']})")
        cells += [f"{m.scores[name]['rho_common']:.3f}" for name in SIMILARITY_SETS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe_params(params: dict[str, Any]) -> str:
    """Short ``key=value`` description of a VAE parameter dict."""
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--n-components",
        type=int,
        default=100,
        help="VAEEmbedder n_components (default: 100).",
    )
    parser.add_argument(
        "--vae-params",
        type=harness.parse_vae_params,
        action="append",
        default=None,
        metavar="DICT",
        help="Extra VAEEmbedder parameters as a JSON object (or Python dict "
        'literal), e.g. \'{"likelihood": "poisson"}\'; repeat for one VAE row '
        "per dict. Its keys override --n-components and random_state=0.",
    )
    parser.add_argument(
        "--svd-components",
        type=int,
        nargs="+",
        default=[300],
        metavar="K",
        help="TruncatedSVD sizes (default: 300).",
    )
    parser.add_argument(
        "--n-docs",
        type=int,
        default=None,
        help="Use only the first N (shuffled) documents, for smoke tests.",
    )
    parser.add_argument(
        "--output",
        type=pathlib.Path,
        default=None,
        help="Also write the markdown report here, e.g. "
        "benchmarks/results/word_vectors.md.",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print (and optionally write) the report."""
    args = parse_args(argv)
    import gensim  # fail early, before the slow fits, if gensim is missing

    vae_param_list = args.vae_params or [{}]
    sets = load_similarity_sets()
    corpus = harness.load_documents("20newsgroups", "all")
    docs = corpus.data if args.n_docs is None else corpus.data[: args.n_docs]
    print(f"{len(docs)} documents ({corpus.source}); fitting ...", flush=True)

    models = [fit_word2vec(docs)]
    print(f"  word2vec: {models[-1].fit_seconds:.1f} s", flush=True)
    models += fit_svd(docs, args.svd_components)
    print(f"  SVD: {models[-1].fit_seconds:.1f} s", flush=True)
    failures = []
    for extra in vae_param_list:
        params = {"n_components": args.n_components, "random_state": 0, **extra}
        label = describe_params(extra) or "defaults"
        try:
            vae_vectors, _ = fit_vae(docs, params, label)
        except (ValueError, RuntimeError) as error:
            # e.g. a diverged fit: report it and keep the other models.
            failures.append(f"VAE ({label}) failed: {type(error).__name__}: {error}")
            print(f"  {failures[-1]}", flush=True)
            continue
        models.append(vae_vectors)
        print(f"  VAE ({label}): {vae_vectors.fit_seconds:.1f} s", flush=True)

    n_common = evaluate(models, sets)
    notes = mark_svd_baselines(models)
    sections = [
        f"Trained on {len(docs)} 20 Newsgroups documents ({corpus.source}); "
        f"gensim {gensim.__version__}.",
        "\n".join(f"- {line}" for line in harness.machine_info()),
        format_table(models, n_common),
        "\n".join(
            [
                "- coverage = pairs with both words in the model's vocabulary / all "
                "pairs; 'common' = the pairs covered by every model in this table "
                f"(WS353 {n_common['WS353']}/{len(sets['WS353'])}, SimLex "
                f"{n_common['SimLex']}/{len(sets['SimLex'])}).",
                *[f"- {note}" for note in notes + failures],
                "- VAE rows: VAEEmbedder(n_components, random_state=0, defaults "
                "otherwise) with the --vae-params shown; [fitted likelihood, epochs "
                "run, where the word vectors come from].",
            ]
        ),
    ]
    title = "Word similarity: Spearman rho of cosine similarity vs human ratings"
    print(f"\n# {title}\n\n" + "\n\n".join(sections))
    harness.write_markdown(args.output, sections, title=title)


if __name__ == "__main__":
    main()
