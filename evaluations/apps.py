from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluering"

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401  (connects the recompute signals)
            tasks,  # noqa: F401  (registers the tasks that services publish by name)
        )
