"""The implementation score: the mean of the parameters that were scored (Bilag A), and
which figure is the headline (:func:`score_headline`).

Pure functions: plain values in, plain values out; no ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

SCORING_VERSION = "1.0"
PARAMETERS = 6


@dataclass(frozen=True)
class ScoreSummary:
    mean: float | None
    n_scored: int
    n_parameters: int
    stated_overall: float | None
    stated_overall_text: str = ""  # the assessment's own words for its stated overall

    @property
    def headline(self) -> Headline:
        """See :func:`score_headline`."""
        return score_headline(self)

    @property
    def complete(self) -> bool:
        return self.n_scored == self.n_parameters

    def describe(self) -> str:
        """E.g. "4,0 (1 af 6 parametre scoret)" – a partial mean always says so."""
        if self.mean is None:
            return f"Ikke scoret (0 af {self.n_parameters} parametre scoret)"
        mean = f"{self.mean:.1f}".replace(".", ",")
        return f"{mean} ({self.n_scored} af {self.n_parameters} parametre scoret)"


def implementation_score(
    scores: Iterable[int | None],
    *,
    n_parameters: int = PARAMETERS,
    stated_overall: float | None = None,
) -> ScoreSummary:
    """Mean of the scored parameters; ``None`` scores (*ikke scoret*) are left out.

    - mean = sum(scored) / len(scored); ``None`` when nothing was scored (never 0).
    - ``n_scored`` always travels with the mean, so a mean over fewer than all parameters
      can never be shown as if it were complete.
    - ``stated_overall`` (what the assessment itself says) is kept beside the computed mean,
      never replaced by it: COWI 2018 states 3 overall while only one score (4) survives.
    - A score outside 1–5 is a programming error here: the database refuses it.
    """
    scored: Sequence[int] = [s for s in scores if s is not None]
    for s in scored:
        if not 1 <= s <= 5:
            raise ValueError(f"score {s} ligger uden for 1–5")
    mean = sum(scored) / len(scored) if scored else None
    return ScoreSummary(
        mean=mean,
        n_scored=len(scored),
        n_parameters=n_parameters,
        stated_overall=stated_overall,
    )


# --- The headline ------------------------------------------------------------------------

STATED = "angivet"  # the overall the assessment itself states
MEAN = "gennemsnit"  # the mean of all the active parameters
NOT_ASSESSED = "Ikke samlet vurderet"
STATED_LABEL = "angivet samlet score i vurderingen"


class ScoreFigures(Protocol):
    """What a stored score carries (a ``ScoreSnapshot``): plain numbers, no relation."""

    mean: float | None
    n_scored: int
    n_parameters: int
    stated_overall: float | None


class StatedWords(Protocol):
    stated_overall_text: str


class StoredScore(ScoreFigures, Protocol):
    """A ``ScoreSnapshot``, with its assessment loaded."""

    # Read-only, so that the model's field (an ``Assessment``) matches: a settable
    # protocol member would have to be exactly ``StatedWords``.
    @property
    def assessment(self) -> StatedWords: ...


@dataclass(frozen=True)
class Headline:
    """The implementation score as a reader is shown it, and what stands beneath it.

    - ``value``: the headline number, or ``None`` when there is none (never invented);
    - ``basis``: ``"angivet"`` (the assessment's stated overall), ``"gennemsnit"`` (the mean
      of all parameters) or ``None``;
    - ``text``: the headline as shown: "3,0", or "Ikke samlet vurderet";
    - ``label``: what the headline is: "angivet samlet score i vurderingen: <the
      assessment's words>", "gennemsnit af 6 af 6 parametre", or "" without a headline;
    - ``mean_text``: the computed mean with its count when it is *not* the headline
      ("gennemsnit af 1 af 6 parametre: 4,0"; "0 af 6 parametre scoret" with no score),
      ``None`` when the mean is the headline.
    """

    value: float | None
    basis: str | None
    text: str
    label: str
    mean_text: str | None

    @property
    def notes(self) -> str:
        """What the headline is, then the mean beneath it: for a line of running text."""
        return "; ".join(t for t in (self.label, self.mean_text) if t)

    @property
    def inline(self) -> str:
        """In running text: "3,0 (angivet samlet score i vurderingen: …; gennemsnit af 1
        af 6 parametre: 4,0)", or "ikke samlet vurderet (gennemsnit af 1 af 6 …)"."""
        head = self.text if self.value is not None else self.text.lower()
        return f"{head} ({self.notes})" if self.notes else head

    @property
    def sentence(self) -> str:
        """The summary's sentence: "Implementeringen er senest vurderet til 3,0 … (…)"."""
        if self.value is None:
            return f"Implementeringen er ikke samlet vurderet ({self.notes})."
        return (
            f"Implementeringen er senest vurderet til {self.text} på en skala fra 1 til 5 "
            f"({self.notes})."
        )


def _one_decimal(value: float) -> str:
    """As every score is shown (the ``score`` filter, :meth:`ScoreSummary.describe`): "3,0"."""
    return f"{value:.1f}".replace(".", ",")


def _stated(value: float) -> str:
    # The field allows two decimals (3,25): rounding them away would change what the
    # assessment says, so they stay; a whole or one-decimal overall reads as any score.
    if round(value, 1) == round(value, 2):
        return _one_decimal(value)
    return f"{value:.2f}".replace(".", ",")


def score_headline(summary: ScoreSummary) -> Headline:
    """The one rule for the headline implementation score (DOMAIN.md, Bilag A).

    1. The assessment states an overall → that overall is the headline (basis "angivet"),
       whatever was scored: COWI 2018 states 3 while only one parameter (4) survives.
    2. Else, every active parameter scored (``n_scored >= n_parameters > 0``) → the mean is
       the headline (basis "gennemsnit"), labelled "gennemsnit af 6 af 6 parametre".
    3. Else there is no headline number: "Ikke samlet vurderet".

    A mean over fewer than all parameters is never the headline: it stands beneath it with
    its count, "gennemsnit af 1 af 6 parametre: 4,0", and so does a complete mean under a
    stated overall. Nothing scored leaves "0 af 6 parametre scoret" beneath. More scored
    than active (a parameter retired after scoring) counts as complete: no parameter is
    missing. No active parameter at all and nothing stated gives no headline.
    """
    n, of = summary.n_scored, summary.n_parameters
    if summary.mean is None:
        beneath = f"{n} af {of} parametre scoret"
    else:
        beneath = f"gennemsnit af {n} af {of} parametre: {_one_decimal(summary.mean)}"
    if summary.stated_overall is not None:
        words = summary.stated_overall_text.strip()
        return Headline(
            value=summary.stated_overall,
            basis=STATED,
            text=_stated(summary.stated_overall),
            label=f"{STATED_LABEL}: {words}" if words else STATED_LABEL,
            mean_text=beneath,
        )
    if summary.mean is not None and n >= of > 0:
        return Headline(
            value=summary.mean,
            basis=MEAN,
            text=_one_decimal(summary.mean),
            label=f"gennemsnit af {n} af {of} parametre",
            mean_text=None,
        )
    return Headline(value=None, basis=None, text=NOT_ASSESSED, label="", mean_text=beneath)


def snapshot_summary(figures: ScoreFigures, *, stated_overall_text: str = "") -> ScoreSummary:
    """A stored score (``ScoreSnapshot``) as a :class:`ScoreSummary`, to take its headline.

    The assessment's words are passed in: reading them is the caller's relation, and the
    caller knows whether it was loaded with the snapshot.
    """
    return ScoreSummary(
        mean=figures.mean,
        n_scored=figures.n_scored,
        n_parameters=figures.n_parameters,
        stated_overall=figures.stated_overall,
        stated_overall_text=stated_overall_text if figures.stated_overall is not None else "",
    )


def snapshot_headline(snapshot: StoredScore) -> Headline:
    """The headline of a stored score (a ``ScoreSnapshot``), by :func:`score_headline`.

    The assessment's words are read only when the snapshot states an overall. Only a
    programme's snapshot does, and every caller that shows one loads its assessment with it
    (``select_related``, or the prefetch that set it): so this reads no row.
    """
    words = snapshot.assessment.stated_overall_text if snapshot.stated_overall is not None else ""
    return snapshot_summary(snapshot, stated_overall_text=words).headline
