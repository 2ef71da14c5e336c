"""Tests of the benchmarks' one command line (run.py, harness.Benchmark)."""

from __future__ import annotations

import argparse
import importlib
import pathlib

import harness
import numpy as np
import pytest
import run
from sklearn.decomposition import NMF
from test_suite import _corpus

FOLDER = pathlib.Path(__file__).parent
SHIM = 'if __name__ == "__main__":\n    harness.cli(BENCHMARK)\n'


def _module(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as error:  # e.g. onnxruntime is not installed here
        pytest.skip(f"{module}: {error}")


@pytest.mark.parametrize("module", run.MODULES)
def test_every_benchmark_is_declared_and_keeps_only_a_shim(module):
    benchmark = _module(module).BENCHMARK
    assert isinstance(benchmark, harness.Benchmark)
    assert benchmark.name == module.removeprefix("bench_")
    assert benchmark.description and "\n" not in benchmark.description
    assert run.load(benchmark.name) is benchmark
    source = (FOLDER / f"{module}.py").read_text(encoding="utf-8")
    assert source.endswith(SHIM)
    assert "ArgumentParser(" not in source and "def main(" not in source
    benchmark.parser()  # its options go together


def test_list_prints_every_benchmark(capsys):
    run.main(["--list"])
    lines = capsys.readouterr().out.splitlines()
    assert "   corpora 20newsgroups; vectorizers counts-2000; models svd," in lines[5]
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == [
        module.removeprefix("bench_") for module in run.MODULES
    ]
    run.main([])
    assert capsys.readouterr().out.startswith("usage: run.py --list")
    with pytest.raises(SystemExit, match="no benchmark 'nope'"):
        run.main(["nope"])


def _toy(measured: list, **fields) -> harness.Benchmark:
    def measure(options):
        measured.append(options)
        return harness.Report(["- a line", "| t |"], title="Toy")

    declaration = {
        "name": "toy",
        "description": "A benchmark of nothing.",
        "run": measure,
        "corpora": ("reuters-r8",),
        "models": ("lsa", "vae"),
        "choose": {"corpora": "--corpus", "models": "--models"},
        "options": (
            harness.Option("--size", int, 3, "how many"),
            harness.Option("--fast", action="store_true"),
            harness.N_DOCS,
            harness.OUTPUT,
        ),
        **fields,
    }
    return harness.Benchmark(**declaration)


def test_parser_is_built_from_the_declaration():
    parser = _toy([]).parser(prog="toy")
    options = parser.parse_args([])
    assert vars(options) == {
        "corpus": "reuters-r8",
        "models": ["lsa", "vae"],
        "size": 3,
        "fast": False,
        "n_docs": None,
        "output": None,
    }
    options = parser.parse_args(["--corpus", "20newsgroups", "--models", "vae"])
    assert (options.corpus, options.models) == ("20newsgroups", ["vae"])
    for bad in (["--corpus", "imdb"], ["--models", "lda"], ["--size", "x"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    several = _toy([], choose={"corpora": "--corpora"}).parser()
    assert several.parse_args([]).corpora == ["reuters-r8"]
    assert several.parse_args(["--corpora", "20newsgroups,reuters-r52"]).corpora == [
        "20newsgroups",
        "reuters-r52",
    ]


def test_declaration_names_must_be_in_the_registries():
    with pytest.raises(ValueError, match="no corpora named"):
        _toy([], corpora=("imdb",))
    with pytest.raises(ValueError, match="no scorers named"):
        _toy([], scorers=("speed",))


def test_cli_runs_checks_and_writes_the_report(tmp_path, capsys):
    measured = []
    path = tmp_path / "toy.md"
    argv = ["--size", "5", "--output", str(path)]
    report = harness.cli(_toy(measured), argv, prog="run.py toy")
    assert report.title == "Toy"
    assert measured[0].size == 5
    assert measured[0].command == " ".join(["python benchmarks/run.py toy", *argv])
    assert path.read_text() == "# Toy\n\n- a line\n\n| t |\n"
    refused = _toy(measured, check=lambda o: "too big" if o.size > 9 else None)
    with pytest.raises(SystemExit):
        harness.cli(refused, ["--size", "10"], prog="run.py toy")
    assert "run.py toy: error: too big" in capsys.readouterr().err
    assert len(measured) == 1


def test_registries_build_and_score():
    for name in harness.VECTORIZERS:
        assert harness.make_named_vectorizer(name).min_df == 5
    vectorizer = harness.make_named_vectorizer("counts-2000", max_features=10)
    assert vectorizer.max_features == 10
    context = {"vae_params": {"max_iter": 1}, "vocabulary": None, "iterations": 5}
    for name, factory in harness.MODELS.items():
        model = factory(3, **context)
        assert model.n_components == 3, name
    assert harness.MODELS["vae-topic"](3, **context).latent == "topic"
    assert harness.MODELS["tomotopy"](3, **context).iterations == 5

    rng = np.random.default_rng(0)
    X = rng.poisson(1.0, size=(40, 30)).astype(float)
    y = np.arange(40) % 2
    model = NMF(3, init="nndsvda", max_iter=50).fit(X[:20])
    fitted = harness.Fitted(model, X[:20], y[:20], X[20:], y[20:], fit_seconds=1.5)
    scores = {
        name: scorer(fitted)
        for name, scorer in harness.SCORERS.items()
        if name != "perplexity"
    }
    assert scores["fit-seconds"] == 1.5
    assert 0 <= scores["classification"] <= 1 and 0 <= scores["nmi"] <= 1
    assert -1 <= scores["npmi"] <= 1 and 0 < scores["diversity"] <= 1


def test_run_py_runs_the_suite_on_tiny_data(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(harness, "load_corpus", lambda name, n_docs=None: _corpus(name))
    output = tmp_path / "suite.md"
    argv = ["--corpora", "20newsgroups", "--products", "embeddings"]
    argv += ["--n-components", "2", "--output", str(output)]
    argv += ["--vae-params", '{"max_iter": 2, "hidden_layer_sizes": [8]}']
    run.main(["suite", *argv])
    text = output.read_text()
    assert "Command: `python benchmarks/run.py suite --corpora 20newsgroups" in text
    assert "| counts + VAE |" in text and "## Targets" in text
    assert output.with_suffix(".json").exists()
    assert f"wrote {output}" in capsys.readouterr().out


def test_old_option_spellings_still_parse():
    text = run.load("text").parser().parse_args(["--models", "svd,vae"])
    assert text.models == ["svd", "vae"] and text.corpus == "20newsgroups"
    speed = run.load("topic_speed").parser().parse_args(["--seeds", "0,1"])
    assert (speed.seeds, speed.references) == ([0, 1], ["tomotopy", "lda"])
    with pytest.raises(SystemExit):
        run.load("topic_speed").parser().parse_args(["--seeds", "0,x"])
    assert isinstance(run.load("suite").parser(), argparse.ArgumentParser)


def test_suite_chooses_all_four_axes():
    benchmark = run.load("suite")
    parser = benchmark.parser(prog="run.py suite")
    defaults = parser.parse_args([])
    for axis in harness.AXES:
        assert getattr(defaults, axis) == list(getattr(benchmark, axis)), axis
    assert defaults.products == ["embeddings", "topics"]
    argv = ["--vectorizers", "tfidf", "--models", "lsa,vae"]
    options = parser.parse_args([*argv, "--scorers", "classification,nmi"])
    assert options.vectorizers == ["tfidf"] and options.models == ["lsa", "vae"]
    assert options.scorers == ["classification", "nmi"]
    for bad in (
        ["--vectorizers", "bow"],
        ["--models", "gensim"],  # in the registry, but not one of the suite's
        ["--scorers", "speed"],
        ["--scorers", ""],
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_suite_refuses_a_choice_that_runs_nothing(capsys):
    argv = ["--products", "embeddings", "--vectorizers", "counts-2000"]
    with pytest.raises(SystemExit):
        run.main(["suite", *argv])
    assert "run.py suite: error: nothing to run" in capsys.readouterr().err


def test_run_py_runs_a_chosen_subset_of_the_suite(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "load_corpus", lambda name, n_docs=None: _corpus(name))
    output = tmp_path / "suite.md"
    argv = ["--corpora", "20newsgroups", "--vectorizers", "tfidf"]
    argv += ["--models", "lsa,vae", "--scorers", "classification,nmi"]
    argv += ["--n-components", "2", "--output", str(output)]
    argv += ["--vae-params", '{"max_iter": 2, "hidden_layer_sizes": [8]}']
    run.main(["suite", *argv])
    lines = output.read_text().splitlines()
    assert "| pipeline | classification | NMI | epochs |" in lines
    rows = [line.split(" | ")[0] for line in lines if line.startswith("| TF-IDF")]
    assert rows == ["| TF-IDF + LSA", "| TF-IDF + VAE"]
    assert not any(line.startswith(("| counts", "| topic model")) for line in lines)
    assert any(line.endswith(" of 2 hold.") for line in lines)
    assert "9 skipped: this run did not compute their inputs." in lines
