from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.geo.models import Village
from mekong.geo.services import VILLAGE_EDITABLE_FIELDS


class VillageFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    area = forms.ChoiceField(label=_("Province / state / region"), required=False)
    demonstration = forms.NullBooleanField(
        label=_("Demonstration villages"),
        required=False,
        widget=forms.Select(
            choices=[
                ("", _("All villages")),
                ("true", _("Only demonstration villages")),
                ("false", _("Only other villages")),
            ]
        ),
    )
    search = forms.CharField(label=_("Name or code"), required=False, max_length=100)

    def __init__(
        self,
        *args: object,
        countries: list[tuple[str, str]],
        areas: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = [("", _("All countries")), *countries]  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", _("All areas")), *areas]  # type: ignore[attr-defined]


class VillageForm(forms.ModelForm[Village]):
    class Meta:
        model = Village
        fields = list(VILLAGE_EDITABLE_FIELDS)
