from django.apps import AppConfig


class JobvaekstConfig(AppConfig):
    name = "jobvaekst"
    verbose_name = "Jobvækst monitor"
