"""Forms for recording an implementation assessment (six parameters, 1–5 or not scored)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from initiatives.models import Initiative, Programme

from .models import Assessment, ImplementationParameter, ScoreLevel


class AssessmentForm(forms.Form):
    title = forms.CharField(label="Titel", max_length=200)
    date = forms.DateField(
        label="Dato",
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Skriv datoen som dd.mm.åååå, f.eks. 15.05.2018."},
        widget=forms.DateInput(attrs={"placeholder": "dd.mm.åååå"}),
    )
    assessor = forms.CharField(label="Evaluator", max_length=200)
    # No default: a programleder's own review must not be recorded as an external
    # evaluation because nobody changed the first choice.
    kind = forms.ChoiceField(
        label="Type",
        choices=[("", "Vælg type"), *Assessment.Kind.choices],
        error_messages={
            "required": "Vælg, om det er en ekstern evaluering eller en intern vurdering."
        },
    )
    initiative = forms.ModelChoiceField(
        label="Gælder",
        queryset=Initiative.objects.none(),
        required=False,
        empty_label="Hele programmet",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields holds a copy of the field declared above.
        initiative = cast("forms.ModelChoiceField[Initiative]", self.fields["initiative"])
        initiative.queryset = Initiative.objects.filter(programme=programme)


class ParameterScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Score",
        required=False,
        coerce=int,
        empty_value=None,
    )
    justification = forms.CharField(
        label="Begrundelse", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        parameter: ImplementationParameter,
        levels: Iterable[ScoreLevel],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parameter = parameter
        # self.fields holds a copy of the field declared above.
        cast(forms.TypedChoiceField, self.fields["score"]).choices = [("", "Ikke scoret")] + [
            (level.score, f"{level.score} – {level.meaning}") for level in levels
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns; its stub says "or None"
        if data.get("score") is not None and not (data.get("justification") or "").strip():
            self.add_error("justification", "Begrund scoren med et par sætninger.")
        return data


def score_levels() -> list[ScoreLevel]:
    return list(ScoreLevel.objects.order_by("-score"))
