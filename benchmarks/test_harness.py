"""Tests of the benchmark harness (benchmarks/harness.py) on tiny data."""

from __future__ import annotations

import argparse
import re

import harness
import numpy as np
import pytest
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import CountVectorizer

# Two topics of 15 words each: enough terms for the top-25 diversity.
TOPICS = [
    "apple banana fruit juice smoothie mango pear peach plum grape lemon lime "
    "melon berry cherry",
    "car engine road wheel tyre brake clutch gear motor fuel diesel truck van "
    "garage driver",
]
_rng = np.random.default_rng(0)
LABELS = np.arange(24) % 2
DOCS = [" ".join(_rng.choice(TOPICS[y].split(), size=8)) for y in LABELS]


def test_parse_vae_params_json_and_python_literals():
    assert harness.parse_vae_params('{"max_iter": 2}') == {"max_iter": 2}
    parsed = harness.parse_vae_params("{'hidden_layer_sizes': (512, 256)}")
    assert parsed == {"hidden_layer_sizes": (512, 256)}
    assert harness.parse_vae_params("{}") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{max_iter: 2", "not a JSON object or Python dict literal"),
        ("[1, 2]", "not a dict"),
        ('{"max_iters": 2}', "VAEEmbedder has no parameter(s) ['max_iters']"),
    ],
)
def test_parse_vae_params_errors(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(message)):
        harness.parse_vae_params(text)


def test_parse_int_list():
    assert harness.parse_int_list("20,50, 100") == [20, 50, 100]
    for text in ("", "20,x", "0,5"):
        with pytest.raises(argparse.ArgumentTypeError):
            harness.parse_int_list(text)


def test_markdown_table_and_fmt():
    table = harness.markdown_table(["model", "a", "b"], [["x|y", 1, "2\n3"]])
    assert table.splitlines() == [
        "| model | a | b |",
        "|---|---:|---:|",
        "| x\\|y | 1 | 2 3 |",
    ]
    left = harness.markdown_table(["m", "a"], [], align="left")
    assert left.splitlines()[1] == "|---|---|"
    assert harness.fmt(None, ".2f") == harness.fmt(np.nan, ".2f") == ""
    assert harness.fmt(0.12345, ".3f") == "0.123"


def test_write_markdown(tmp_path, capsys):
    path = tmp_path / "sub" / "report.md"
    harness.write_markdown(path, ["- a\n- b", "| t |"], title="Report")
    assert path.read_text() == "# Report\n\n- a\n- b\n\n| t |\n"
    assert f"wrote {path}" in capsys.readouterr().out
    harness.write_markdown(path, ["only"])
    assert path.read_text() == "only\n"
    harness.write_markdown(None, ["ignored"])  # no --output: nothing to do


def test_machine_info_lines():
    lines = harness.machine_info()
    assert [line.split(":")[0] for line in lines[:2]] == ["date", "machine"]
    assert "scikit-learn" in lines[2] and "torch" in lines[2]


def test_start_run_prints_and_returns_the_machine_lines(capsys):
    lines = harness.start_run()
    assert lines[0].startswith("date:")
    assert capsys.readouterr().out.splitlines()[-len(lines) :] == lines


def test_load_corpus_unknown_name():
    with pytest.raises(ValueError, match="corpus must be one of"):
        harness.load_corpus("reuters-r10")
    with pytest.raises(ValueError, match="corpus must be one of"):
        harness.load_documents("imdb", "train")


def test_factories():
    assert harness.make_lsa(5).get_params()["random_state"] == 0
    assert harness.make_nmf(5).get_params()["init"] == "nndsvda"
    lda = harness.make_lda(5).get_params()
    assert (lda["learning_method"], lda["n_components"]) == ("batch", 5)
    vae = harness.make_vae(5, max_iter=3, random_state=1).get_params()
    assert (vae["n_components"], vae["max_iter"], vae["random_state"]) == (5, 3, 1)


def test_run_model_measures_a_topic_model():
    X = CountVectorizer().fit_transform(DOCS)
    result = harness.run_model(
        "NMF", lambda: NMF(2, random_state=0, max_iter=500), X, LABELS, X, LABELS
    )
    assert result.error is None
    assert result.fit_seconds > 0 and result.transform_seconds > 0
    assert result.accuracy == 1.0
    assert result.n_iter == result.model.n_iter_
    assert result.n_active is None
    assert np.isnan(result.perplexity)  # NMF has no perplexity
    assert result.topic_npmi.shape == (2,)
    assert result.npmi == pytest.approx(result.topic_npmi.mean())
    assert 0 < result.diversity <= 1


# NMF's transform also stops at max_iter=2 and warns.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_run_model_records_failures_and_notes():
    X = CountVectorizer().fit_transform(DOCS)

    def broken():
        raise RuntimeError("no such model")

    failed = harness.run_model("broken", broken, X, LABELS, X, LABELS)
    assert failed.error == "RuntimeError: no such model"

    class NoPerplexity(NMF):
        def perplexity(self, X):
            raise ValueError("not a count model")

    noted = harness.run_model(
        "nmf",
        lambda: NoPerplexity(2, max_iter=2),
        X,
        LABELS,
        X,
        LABELS,
        fit=lambda model, X: model.fit(X[:12]),
    )
    assert noted.error is None
    assert any(note.startswith("ConvergenceWarning") for note in noted.notes)
    assert "no perplexity: not a count model" in noted.notes
    assert noted.model.n_iter_ == 2


def test_common_and_models_arguments(tmp_path):
    parser = argparse.ArgumentParser()
    harness.names_option("--models", ("svd", "vae")).add_to(parser)
    harness.add_common_arguments(parser, corpus=True)
    args = parser.parse_args([])
    assert args.models == ["svd", "vae"]
    assert (args.corpus, args.vae_params, args.n_docs, args.output) == (
        "20newsgroups",
        {},
        None,
        None,
    )
    args = parser.parse_args(
        ["--models", "vae", "--corpus", "reuters-r52", "--n-docs", "10"]
        + ["--vae-params", '{"max_iter": 2}', "--output", str(tmp_path / "r.md")]
    )
    assert (args.models, args.corpus, args.n_docs) == (["vae"], "reuters-r52", 10)
    assert args.vae_params == {"max_iter": 2}
    assert args.output == tmp_path / "r.md"
    for bad in (["--models", "svd,lda"], ["--models", ","], ["--corpus", "imdb"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    plain = argparse.ArgumentParser()
    harness.add_common_arguments(plain)
    assert not hasattr(plain.parse_args([]), "corpus")


def test_count_matrix_to_tokens_gives_back_the_counts():
    vectorizer = CountVectorizer()
    X = vectorizer.fit_transform(DOCS + [""])
    vocabulary = vectorizer.get_feature_names_out()
    documents = harness.count_matrix_to_tokens(X, vocabulary)
    assert documents[-1] == []
    again = CountVectorizer(vocabulary=vocabulary).transform(
        [" ".join(words) for words in documents]
    )
    assert (again != X).nnz == 0
    with pytest.raises(ValueError, match="vocabulary has 2 terms"):
        harness.count_matrix_to_tokens(X, vocabulary[:2])
    with pytest.raises(ValueError, match="non-negative integer counts"):
        harness.count_matrix_to_tokens(X * 0.5, vocabulary)


def test_gensim_bags_of_words_are_doc2bow_of_the_tokens():
    pytest.importorskip("gensim")
    from gensim.corpora import Dictionary

    vectorizer = CountVectorizer()
    X = vectorizer.fit_transform(DOCS)
    vocabulary = vectorizer.get_feature_names_out()
    dictionary = Dictionary()
    dictionary.token2id = {term: j for j, term in enumerate(vocabulary)}
    expected = [
        sorted(dictionary.doc2bow(words))
        for words in harness.count_matrix_to_tokens(X, vocabulary)
    ]
    # CountVectorizer's rows need not list their columns in order.
    assert [sorted(bow) for bow in harness.GensimLDA._corpus(X)] == expected


@pytest.mark.parametrize("factory", [harness.make_tomotopy, harness.make_gensim])
def test_token_list_peers_are_measured_like_the_others(factory):
    package = "tomotopy" if factory is harness.make_tomotopy else "gensim"
    pytest.importorskip(package)
    vectorizer = CountVectorizer()
    X = vectorizer.fit_transform(DOCS + [""])  # an empty document too
    y = np.append(LABELS, 0)
    vocabulary = vectorizer.get_feature_names_out()
    result = harness.run_model(
        package, lambda: factory(2, vocabulary=vocabulary), X, y, X.copy(), y
    )
    assert result.error is None, result.error
    model = result.model
    assert model.components_.shape == (2, X.shape[1])
    np.testing.assert_allclose(model.components_.sum(axis=1), 1, rtol=1e-4)
    for Z in (model.transform(X), model.transform(X.copy())):
        assert Z.shape == (X.shape[0], 2)
        np.testing.assert_allclose(Z.sum(axis=1), 1, rtol=1e-4)
    assert result.topic_npmi.shape == (2,)
    assert 0 < result.diversity <= 1
    if package == "tomotopy":
        np.testing.assert_allclose(model.transform(X)[-1], 0.5)  # empty: uniform
        assert model.n_iter_ == 200 and 0 < model.train_seconds_ < result.fit_seconds


def test_split_of_an_unsplit_corpus_is_stratified_disjoint_and_fixed():
    whole = harness._labelled(
        [f"document {i}" for i in range(100)],
        ["a"] * 80 + ["b"] * 20,
        "generated",
        "",
    )
    train, test = harness._split(whole, "train"), harness._split(whole, "test")
    assert len(train.data) == 70 and len(test.data) == 30
    assert not set(train.data) & set(test.data)
    assert train.target_names == ["a", "b"]
    # Stratified: each part keeps the 4:1 ratio of the labels.
    assert np.bincount(test.target).tolist() == [24, 6]
    assert harness._split(whole, "train").data == train.data
    assert harness._split(whole, "all") is whole
