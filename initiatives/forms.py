"""Forms only validate: they turn what was typed into typed values, with Danish messages.

Numbers are read the Danish way (1.234,5) by the one parser in :mod:`jobvaekst.numbers`
and shown the way it reads them back, so a form saved unchanged changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet

from jobvaekst.numbers import format_decimal, format_phases, parse_number, parse_phases

from . import services
from .models import (
    TARGET_FIELDS,
    Indicator,
    StatusUpdate,
    SubInitiative,
    Target,
    target_phase_errors,
)

NUMBER_MESSAGES = {
    "invalid": "Skriv et tal, f.eks. 12 eller 1.234,5.",
    "max_digits": "Tallet har for mange cifre.",
    "max_decimal_places": "Brug højst to decimaler.",
}


class DanishDecimalField(forms.DecimalField):
    """A decimal typed and shown the Danish way, through :func:`parse_number`.

    Django's localized DecimalField reads "12.5" as 12,5 but "1.750" as 1750, and shows
    values in the active language; this field has one rule for every form (a point only
    groups thousands) and always shows what that rule reads back ("1.234,5").
    """

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("localize", None)  # the display is Danish whatever the language
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    # django-stubs types DecimalField.to_python as IntegerField's (int | None) and marks
    # its own override with the same ignore; Django's returns a Decimal, as this one does.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return parse_number(str(value))
        except ValidationError as exc:
            if exc.code == "invalid":  # the field's own wording for plain nonsense
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_decimal(value)
        return value


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
    budget_spent = DanishDecimalField(
        label="Forbrugt budget i perioden (kr.)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        error_messages={**NUMBER_MESSAGES, "min_value": "Forbrugt budget kan ikke være negativt."},
    )


class TargetStatusForm(forms.Form):
    """One target's line in the status form."""

    value = DanishDecimalField(
        label="Værdi",
        required=False,
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

    def __init__(self, *args: Any, target: Target, previous: Decimal | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.previous = previous
        self.qualitative = target.kind == Target.Kind.QUALITATIVE or target.target_low is None
        if not self.qualitative:
            del self.fields["assessment"]
        if previous is None:
            del self.fields["confirm_unchanged"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns; its stub says "or None"
        if self.errors:
            return data
        item = self.as_input()
        for field, message in services.update_errors(
            target=self.target, data=item, previous=self.previous
        ).items():
            self.add_error(field if field in self.fields else None, message)
        return data

    def carries_previous(self) -> bool:
        """Is the value last round's, and not ticked as unchanged? A draft may keep it; on
        submit the report asks once for all such targets (``status_report``)."""
        data = self.cleaned_data
        return (
            self.previous is not None
            and data.get("value") is not None
            and data["value"] == self.previous
            and not data.get("confirm_unchanged")
        )

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


class PhasesField(forms.CharField):
    """Phases typed as "2017: 30; 2018: 12,5", read by :func:`parse_phases` into
    ``[(year, value), …]`` and shown by :func:`format_phases` as it reads them back."""

    # The Python value of this text field is the parsed phases, not the text (as with
    # Django's own typed fields), so its return type differs from CharField's on purpose.
    def to_python(self, value: Any) -> list[tuple[int, Decimal]]:  # type: ignore[override]
        if isinstance(value, (list, tuple)):
            return sorted(value)
        return parse_phases(super().to_python(value) or "")  # empty_value is "", never None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return format_phases(value)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        # The same phases written differently ("2017:30" for "2017: 30") are no change,
        # so they need no reason.
        try:
            return self.to_python(initial or "") != self.to_python(data or "")
        except ValidationError:
            return True


class TargetForm(forms.ModelForm):
    """A target's definition. Phases are typed as "2017: 30; 2018: 80"."""

    phases_text = PhasesField(
        label="Faser (år: værdi; …)",
        required=False,
        help_text=(
            "F.eks. 2017: 30; 2018: 12,5. Faserne lægges til basis; udfyldes målværdi (fra) "
            "også, skal den være basis + faserne. Tomt: ingen faser."
        ),
    )
    reason = forms.CharField(
        label="Begrundelse for ændringen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Skal udfyldes, når målet allerede har statusopdateringer.",
    )

    class Meta:
        model = Target
        fields = ["sub_initiative", "order", *TARGET_FIELDS]
        field_classes = {
            name: DanishDecimalField
            for name in ("baseline_low", "baseline_high", "target_low", "target_high")
        }
        widgets = {"definition": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, needs_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason
        # self.fields holds copies of the model's form fields: these two kinds, by Meta.
        sub = cast("forms.ModelChoiceField[SubInitiative]", self.fields["sub_initiative"])
        sub.queryset = self.instance.initiative.sub_initiatives.all()
        for name in ("start_date", "target_date"):
            cast(forms.DateField, self.fields[name]).input_formats = ["%d.%m.%Y", "%Y-%m-%d"]
            self.fields[name].error_messages["invalid"] = "Skriv datoen som dd.mm.åååå."
        for name in ("baseline_low", "baseline_high", "target_low", "target_high"):
            self.fields[name].error_messages.update(NUMBER_MESSAGES)
        if self.instance.pk:
            # Shown as the field reads it back, so saving unchanged changes nothing; also
            # when bound, so has_changed() compares with the stored phases.
            self.initial["phases_text"] = [(p.year, p.value) for p in self.instance.phases.all()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns; its stub says "or None"
        low, high = data.get("target_low"), data.get("target_high")
        if low is not None and high is not None and low > high:
            self.add_error(
                "target_high", "Den øvre grænse skal være mindst lige så stor som den nedre."
            )
        blow, bhigh = data.get("baseline_low"), data.get("baseline_high")
        if blow is not None and bhigh is not None and blow > bhigh:
            self.add_error(
                "baseline_high", "Den øvre grænse skal være mindst lige så stor som den nedre."
            )
        numbers_ok = not any(
            name in self.errors
            for name in ("baseline_low", "baseline_high", "target_low", "target_high")
        )
        if "phases_text" in data and numbers_ok:
            errors = target_phase_errors(
                direction=data.get("direction", ""),
                baseline_low=blow,
                baseline_high=bhigh,
                target_low=low,
                target_high=high,
                start_date=data.get("start_date"),
                target_date=data.get("target_date"),
                phases=data["phases_text"],
            )
            for key, messages in errors.items():
                field = "phases_text" if key == "phases" else key
                for message in messages:
                    self.add_error(field if field in self.fields else NON_FIELD_ERRORS, message)
        if self.needs_reason and self.has_changed() and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                "Målet har allerede statusopdateringer. Skriv, hvorfor det ændres.",
            )
        return data


class IndicatorChoiceField(forms.ModelChoiceField):
    """An indicator named with its programme, as Django documents: by overriding
    label_from_instance (typed, where assigning a lambda to the instance is not)."""

    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.name} ({obj.programme.name})"


class IndicatorUploadForm(forms.Form):
    """Step 1 of the indicator upload on /data/: which indicator, which file, which layout.

    ``indicators`` is the queryset the user may import into (the indicators of the
    programmes they lead); any other indicator is refused as an invalid choice.
    """

    indikator = IndicatorChoiceField(
        label="Indikator",
        queryset=None,
        empty_label="Vælg en indikator",
        error_messages={
            "required": "Vælg den indikator, tallene hører til.",
            "invalid_choice": "Vælg en af indikatorerne i de programmer, du er programleder for.",
        },
    )
    fil = forms.FileField(
        label="Fil (CSV)",
        help_text="Semikolonsepareret CSV, fx fra Jobindsats eller Statistikbanken.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Vælg en CSV-fil.",
            "empty": "Filen er tom.",
            "invalid": "Vælg en CSV-fil.",
        },
    )
    format = forms.ChoiceField(
        label="Kolonner som hos",
        choices=[
            ("standard", "Standard (Område; Periode; Værdi)"),
            ("jobindsats", "Jobindsats"),
            ("dst", "Statistikbanken (Danmarks Statistik)"),
        ],
        initial="standard",
        error_messages={"invalid_choice": "Vælg et af formaterne."},
    )
    omraade_kolonne = forms.CharField(
        label="Kolonnen med området (valgfri)",
        required=False,
        max_length=100,
        help_text="Kun hvis overskriften ikke er den sædvanlige for formatet.",
    )
    periode_kolonne = forms.CharField(
        label="Kolonnen med perioden (valgfri)", required=False, max_length=100
    )
    vaerdi_kolonne = forms.CharField(
        label="Kolonnen med værdien (valgfri)", required=False, max_length=100
    )
    tegnsaet = forms.ChoiceField(
        label="Tegnsæt",
        choices=[
            ("auto", "Automatisk (UTF-8, ellers Latin-1)"),
            ("utf-8", "UTF-8"),
            ("latin-1", "Latin-1 (Windows-1252)"),
        ],
        initial="auto",
        error_messages={"invalid_choice": "Vælg et af tegnsættene."},
    )

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "indikator-%s")  # unique next to the programme upload
        super().__init__(*args, **kwargs)
        # self.fields holds a copy of the field declared above.
        cast(IndicatorChoiceField, self.fields["indikator"]).queryset = indicators

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Errors are linked to their fields, as the help text already is. After
        # super().add_error() the errors exist, so self.errors starts no new clean.
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            ids = [f"{self[name].auto_id}-fejl"]
            if self.fields[name].help_text:
                ids.insert(0, f"{self[name].auto_id}_helptext")
            attrs["aria-describedby"] = " ".join(ids)
            attrs["aria-invalid"] = "true"
