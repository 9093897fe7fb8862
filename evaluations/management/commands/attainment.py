"""Print every target's figures and the inputs behind them: the explainability source."""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluations import services
from initiatives.models import Programme, ReportingRound, Target
from jobvaekst.numbers import format_number


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{format_number(round(value, 2))} %"


class Command(BaseCommand):
    help = (
        "Beregner målopnåelsen for hvert mål og udskriver beregnet, angivet og forventet tal, "
        "kategori, prognose, markering og input. Gemmer intet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", metavar="SLUG", help="kun dette program")
        parser.add_argument("--round", metavar="ÅÅÅÅ-N", help="kun denne runde, f.eks. 2018-2")
        parser.add_argument("--json", action="store_true", help="udskriv JSON")

    def handle(
        self, *args: Any, programme: str | None, round: str | None, json: bool, **opts: Any
    ) -> None:
        targets = Target.objects.order_by("initiative__programme", "initiative__number", "pk")
        rounds = ReportingRound.objects.all()
        if programme:
            if not Programme.objects.filter(slug=programme).exists():
                raise CommandError(f"Programmet »{programme}« findes ikke.")
            targets = targets.filter(initiative__programme__slug=programme)
        if round:
            try:
                year, number = (int(part) for part in round.split("-"))
            except ValueError:
                raise CommandError(
                    f"»{round}« er ikke en runde; skriv år og nummer, f.eks. 2018-2."
                ) from None
            rounds = rounds.filter(year=year, number=number)
            if not rounds.exists():
                raise CommandError(f"Runden {round} findes ikke.")
        results = services.compute(targets=targets, rounds=rounds)
        if json:
            self._json(results)
        else:
            self._text(results)

    def _json(self, results: list[services.Computed]) -> None:
        rows = [
            {
                **services.as_dict(c.result),
                "programme": c.target.initiative.programme.slug,
                "initiative": c.target.initiative.slug,
                "title": c.target.title,
                "round": c.round.code,
                "pending_approval": c.pending_approval,
            }
            for c in results
        ]
        self.stdout.write(jsonlib.dumps(rows, ensure_ascii=False, indent=2, default=str))

    def _text(self, results: list[services.Computed]) -> None:
        for c in results:
            r = c.result
            self.stdout.write(
                f"[{c.round.code}] {c.target.initiative.name} – {c.target.title} (id {c.target.pk})"
            )
            stated = r.stated_text or "–"
            self.stdout.write(
                f"  beregnet {_pct(r.percent)}"
                + (f" (strækmål {_pct(r.percent_high)})" if r.percent_high is not None else "")
                + f" [{r.basis}] · angivet {stated} · forventet {_pct(r.expected_percent)}"
                + f" · {r.category}"
            )
            if r.formula:
                self.stdout.write(f"  formel: {r.formula}")
            if r.forecast_text:
                self.stdout.write(f"  prognose: {r.forecast_text}")
            if r.flagged:
                self.stdout.write(f"  MARKERET: {r.flag_reason}")
            self.stdout.write(
                f"  input: {jsonlib.dumps(r.explanation, ensure_ascii=False, default=str)}"
            )
