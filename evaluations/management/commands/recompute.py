"""Recompute the snapshots the pages read, now, in this process."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluations import services
from initiatives.models import Programme


class Command(BaseCommand):
    help = "Genberegner målopnåelse og implementeringsscorer (alle eller ét program)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="alle programmer")
        group.add_argument("--programme", metavar="SLUG", help="kun dette program")

    def handle(self, *args: Any, all: bool, programme: str | None, **options: Any) -> None:
        started = time.perf_counter()
        if programme:
            try:
                prog = Programme.objects.get(slug=programme)
            except Programme.DoesNotExist:
                raise CommandError(f"Programmet »{programme}« findes ikke.") from None
            summary = services.snapshots_recompute(programme_ids=[prog.pk])
            assessments = prog.assessments.values_list("pk", flat=True)
            scores = services.scores_recompute(assessment_ids=list(assessments))
        else:
            summary = services.snapshots_recompute()
            scores = services.scores_recompute()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.computed} målopnåelser beregnet, {summary.written} ændret; "
                f"{scores} implementeringsscorer; {seconds:.2f} s."
            )
        )
