from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Indsatsområder og mål"

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401  (announces changes to the figures' inputs)
            tasks,  # noqa: F401  (registers the tasks that services publish by name)
        )
