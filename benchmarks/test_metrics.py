"""Tests of benchmarks/metrics.py on tiny matrices whose metrics are known.

Not part of the main test suite; run with
``python -m pytest benchmarks/test_metrics.py``.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
import scipy.sparse as sp

# The benchmarks folder is not a package: make metrics.py importable.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from metrics import (  # noqa: E402
    classification_accuracy,
    npmi_coherence,
    topic_diversity,
)

# Columns: 0 and 1 always together (docs 0, 1); 2 never with 0 or 1 (docs 2, 3);
# 3 and 4 independent (P = 1/2 each, together in 1 of 4 docs); 5 in every doc.
X_TOY = np.array(
    [
        [1, 3, 0, 1, 1, 1],
        [2, 1, 0, 1, 0, 1],
        [0, 0, 5, 0, 1, 1],
        [0, 0, 1, 0, 0, 1],
    ]
)


@pytest.mark.parametrize("to_matrix", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_npmi_known_pairs(to_matrix):
    topics = [np.array([0, 1]), np.array([0, 2]), np.array([3, 4])]
    npmi = npmi_coherence(topics, to_matrix(X_TOY))
    np.testing.assert_allclose(npmi, [1.0, -1.0, 0.0], atol=1e-12)


def test_npmi_counts_do_not_matter():
    # Only presence counts: scaling the counts leaves NPMI unchanged.
    topics = [np.array([0, 1, 3, 4]), np.array([2, 4, 0])]
    np.testing.assert_allclose(
        npmi_coherence(topics, X_TOY), npmi_coherence(topics, 7 * X_TOY)
    )


def test_npmi_averages_all_pairs():
    # Pairs (0,1)=1, (0,2)=-1, (1,2)=-1 -> mean -1/3; order must not matter.
    npmi = npmi_coherence([np.array([0, 1, 2]), np.array([2, 1, 0])], X_TOY)
    np.testing.assert_allclose(npmi, [-1 / 3, -1 / 3])


def test_npmi_always_present_pair_and_truncation():
    # Term 5 is in every document and term 0 in half: PMI = 0 -> NPMI 0.
    np.testing.assert_allclose(npmi_coherence([np.array([0, 5])], X_TOY), [0.0])
    # n_terms keeps only the first terms: [0, 1] of [0, 1, 2] -> 1.
    npmi = npmi_coherence([np.array([0, 1, 2])], X_TOY, n_terms=2)
    np.testing.assert_allclose(npmi, [1.0])


def test_npmi_partial_overlap_matches_formula():
    # Term 0 in docs {0, 1, 2}, term 1 in docs {0, 3}: the formula by hand.
    X = np.array([[1, 1], [1, 0], [1, 0], [0, 1]])
    p_i, p_j, p_ij = 3 / 4, 2 / 4, 1 / 4
    expected = np.log(p_ij / (p_i * p_j)) / -np.log(p_ij)
    np.testing.assert_allclose(npmi_coherence([np.array([0, 1])], X), [expected])


def test_npmi_is_bounded_on_a_realistic_matrix():
    rng = np.random.default_rng(0)
    X = sp.random(7500, 2000, density=0.02, format="csr", random_state=rng)
    topics = [rng.choice(2000, size=10, replace=False) for _ in range(50)]
    npmi = npmi_coherence(topics, X)
    assert npmi.shape == (50,)
    assert np.all((npmi >= -1) & (npmi <= 1))


def test_topic_diversity():
    same = [np.arange(25)] * 4
    assert topic_diversity(same) == pytest.approx(1 / 4)
    disjoint = [np.arange(25) + 25 * k for k in range(4)]
    assert topic_diversity(disjoint) == 1.0
    # Only the first 25 terms of each topic count.
    long = [np.r_[np.arange(25), 100 + k] for k in range(2)]
    assert topic_diversity(long) == pytest.approx(0.5)


def test_classification_accuracy_separable():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 50)
    Z = rng.normal(size=(100, 3)) + 10 * y[:, None]
    assert classification_accuracy(Z, y, Z, y) == 1.0
