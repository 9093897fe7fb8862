"""The shares of the expected progress that make a target "på sporet" or "kritisk",
from the settings; shared by the recompute and the indicators' figures."""

from __future__ import annotations

from django.conf import settings

from . import attainment as engine


def thresholds() -> engine.Thresholds:
    return engine.Thresholds(
        on_track_share=settings.ATTAINMENT_ON_TRACK_SHARE,
        critical_share=settings.ATTAINMENT_CRITICAL_SHARE,
        discrepancy_points=settings.ATTAINMENT_DISCREPANCY_POINTS,
    )
