"""The implementation score: the mean of the parameters that were scored (Bilag A).

Pure functions: plain values in, plain values out; no ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCORING_VERSION = "1.0"
PARAMETERS = 6


@dataclass(frozen=True)
class ScoreSummary:
    mean: float | None
    n_scored: int
    n_parameters: int
    stated_overall: float | None

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
