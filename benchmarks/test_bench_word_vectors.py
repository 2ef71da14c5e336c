"""Tests of the word-similarity benchmark's pair reader (bench_word_vectors.py)."""

from __future__ import annotations

import bench_word_vectors
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
