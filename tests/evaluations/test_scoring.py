from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations.scoring import implementation_score


def test_the_mean_of_the_scored_parameters_only():
    summary = implementation_score([4, None, None, None, None, None], stated_overall=3)
    assert (summary.mean, summary.n_scored, summary.n_parameters) == (4.0, 1, 6)
    assert summary.stated_overall == 3  # kept beside, never replaced
    assert not summary.complete
    assert summary.describe() == "4,0 (1 af 6 parametre scoret)"


def test_nothing_scored_is_no_score_not_zero():
    summary = implementation_score([None] * 6)
    assert summary.mean is None
    assert summary.describe() == "Ikke scoret (0 af 6 parametre scoret)"


def test_all_six_scored():
    summary = implementation_score([4, 3, 3, 2, 3, 3])
    assert summary.mean == pytest.approx(3.0)
    assert summary.complete


def test_a_score_outside_1_to_5_is_a_bug():
    with pytest.raises(ValueError, match="uden for 1–5"):
        implementation_score([6])


@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=6, max_size=6))
def test_the_mean_stays_on_the_scale_and_counts_what_was_scored(scores):
    summary = implementation_score(scores)
    scored = [s for s in scores if s is not None]
    assert summary.n_scored == len(scored)
    if scored:
        assert 1 <= summary.mean <= 5
    else:
        assert summary.mean is None
