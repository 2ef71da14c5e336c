"""Tests of the word-similarity benchmark's pair reader and target table
(bench_word_vectors.py)."""

from __future__ import annotations

import bench_word_vectors
import numpy as np
import pytest


def test_parse_pairs_reads_tab_and_space_separated_lines():
    lines = [
        "# a comment",
        "Word 1\tWord 2\tHuman (mean)",  # a header: its score is not a number
        "Tiger\tcat\t7.35",
        "sun sunlight 50.000000",  # MEN's layout
        "episcopal\trussia\t2.75\r",  # RW's Windows line ends
        "",
        "old\tnew\t1.58\t0.41\t2.3",  # SimLex's extra columns
    ]
    assert bench_word_vectors.parse_pairs(lines, "test") == [
        ("tiger", "cat", 7.35),
        ("sun", "sunlight", 50.0),
        ("episcopal", "russia", 2.75),
        ("old", "new", 1.58),
    ]


def test_parse_pairs_names_the_source_of_a_short_line():
    with pytest.raises(ValueError, match="men.txt: expected 3 fields"):
        bench_word_vectors.parse_pairs(["sun sunlight"], "men.txt")


def scored(name, family, rho, analogy, seconds):
    """A WordVectors with its scores filled in as ``evaluate`` fills them."""
    model = bench_word_vectors.WordVectors(
        name, {}, np.zeros((0, 1)), seconds, family=family
    )
    model.scores["WS353"] = {"rho_common": rho}
    model.analogies["Google"] = (analogy, 100)
    return model


def test_targets_compare_seed_means_with_the_best_baseline():
    ours = "skvae WordEmbedder (defaults), vectors_ (sum)"
    models = [
        scored("PPMI-SVD-100, window 5", "PPMI-SVD-100, window 5", 0.50, 0.10, 20.0),
        scored("word2vec, seed 0", "word2vec (gensim)", 0.40, 0.05, 10.0),
        scored("word2vec, seed 1", "word2vec (gensim)", 0.44, 0.07, 14.0),
        scored("FastText, seed 0", "FastText (gensim)", 0.20, 0.40, 40.0),
        scored("ours, seed 0", ours, 0.53, 0.05, 20.0),
        scored("ours, seed 1", ours, 0.49, 0.07, 28.0),
        # Another view of the same fits is not held against the targets.
        scored("ours, seed 0, posterior", "skvae WordEmbedder, posterior", 0, 0, 20),
    ]
    table = bench_word_vectors.format_targets(models, ["WS353"])
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert len(rows) == 3
    # WS353: mean 0.51 against PPMI-SVD's 0.50 (better than word2vec's 0.42).
    assert rows[0][2:5] == ["0.510 (0.490-0.530)", "0.500, PPMI-SVD-100", "+0.010"]
    assert rows[0][5].startswith("holds")
    # Analogies: 0.06 against FastText's 0.40.
    assert rows[1][3:5] == ["0.400, FastText", "-0.340"]
    assert "miss" in rows[1][5]
    # 24 s against word2vec's mean of 12 s: exactly the 2x allowed.
    assert rows[2][2] == "2.0x" and rows[2][5].startswith("holds")
