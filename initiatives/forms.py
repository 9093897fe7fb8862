"""Forms only validate: they turn what was typed into typed values, with Danish messages.

Numbers are read the Danish way (1.234,5) through Django's localized fields.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from . import services
from .models import StatusUpdate, Target

NUMBER_MESSAGES = {
    "invalid": "Skriv et tal, f.eks. 12 eller 1.234,5.",
    "max_digits": "Tallet har for mange cifre.",
    "max_decimal_places": "Brug højst to decimaler.",
}


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    progress = forms.CharField(
        label="Fremdrift", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    challenges = forms.CharField(
        label="Udfordringer", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label="Næste skridt", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget_spent = forms.DecimalField(
        label="Forbrugt budget i perioden (kr.)",
        required=False,
        localize=True,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        error_messages={**NUMBER_MESSAGES, "min_value": "Forbrugt budget kan ikke være negativt."},
    )


class TargetStatusForm(forms.Form):
    """One target's line in the status form."""

    value = forms.DecimalField(
        label="Værdi",
        required=False,
        localize=True,
        max_digits=14,
        decimal_places=2,
        error_messages=NUMBER_MESSAGES,
    )
    assessment = forms.ChoiceField(
        label="Vurdering",
        required=False,
        choices=[("", "Ingen vurdering"), *StatusUpdate.Assessment.choices],
    )
    not_measurable = forms.BooleanField(label="Ikke målbart p.t.", required=False)
    confirm_unchanged = forms.BooleanField(label="Uændret siden sidste runde", required=False)
    comment = forms.CharField(
        label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, target: Target, previous: Decimal | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.previous = previous
        self.qualitative = target.kind == Target.Kind.QUALITATIVE or target.target_low is None
        if not self.qualitative:
            del self.fields["assessment"]
        if previous is None:
            del self.fields["confirm_unchanged"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        item = self.as_input()
        for field, message in services.update_errors(
            target=self.target, data=item, previous=self.previous
        ).items():
            self.add_error(field if field in self.fields else None, message)
        if (
            self.previous is not None
            and data.get("value") is not None
            and data["value"] == self.previous
            and not data.get("confirm_unchanged")
        ):
            self.add_error(
                "confirm_unchanged",
                "Værdien er den samme som i sidste runde. Sæt flueben i »Uændret siden sidste "
                "runde« for at bekræfte, eller ret tallet.",
            )
        return data

    def as_input(self) -> services.UpdateInput:
        data = self.cleaned_data
        return services.UpdateInput(
            target_id=self.target.pk,
            value=data.get("value"),
            assessment=data.get("assessment", "") or "",
            not_measurable=bool(data.get("not_measurable")),
            comment=data.get("comment", ""),
            confirm_unchanged=bool(data.get("confirm_unchanged")),
        )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    comment = forms.CharField(
        label="Kommentar til tovholderen (skal udfyldes ved returnering)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
