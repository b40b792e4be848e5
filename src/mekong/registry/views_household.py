"""Household forms: causes of poverty and helper; assistance measures. Writes via the services.

A household the user cannot see answers 404 on reading; one that exists outside their scope,
or a role that may not change the register, answers 403 (partners.access).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mekong.core.errors import DomainError, NotFound, PermissionDenied
from mekong.partners.models import Organisation, Person
from mekong.projects.models import Component
from mekong.registry import selectors, services
from mekong.registry.access import require_can_edit_household
from mekong.registry.models import AssistanceCategory, Cause, Household

MAX_SECONDARY_CAUSES = 2


class CausesForm(forms.Form):
    main_cause = forms.ChoiceField(label=gettext_lazy("Main cause of poverty"))
    secondary_causes = forms.MultipleChoiceField(
        label=gettext_lazy("Secondary causes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Up to two, other than the main cause."),
    )
    helper = forms.ModelChoiceField(
        label=gettext_lazy("Designated helper"),
        queryset=Person.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, user: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["main_cause"].choices = Cause.choices  # type: ignore[attr-defined]
        self.fields["secondary_causes"].choices = Cause.choices  # type: ignore[attr-defined]
        self.fields["helper"].queryset = selectors.helper_choices(user=user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secondary = data.get("secondary_causes") or []
        if len(secondary) > MAX_SECONDARY_CAUSES:
            self.add_error("secondary_causes", _("Choose at most two secondary causes."))
        elif data.get("main_cause") in secondary:
            self.add_error(
                "secondary_causes", _("The main cause cannot also be a secondary cause.")
            )
        return data


class MeasureForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=AssistanceCategory.choices)
    component = forms.ModelChoiceField(
        label=gettext_lazy("Project component"),
        queryset=Component.objects.none(),
        required=False,
        help_text=gettext_lazy("Required for the category “Project component”."),
    )
    description = forms.CharField(label=gettext_lazy("Measure"), max_length=255)
    value = forms.DecimalField(
        label=gettext_lazy("Value"), min_value=0, max_digits=18, decimal_places=2
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency"),
        min_length=3,
        max_length=3,
        help_text=gettext_lazy("ISO 4217 code, such as MMK, LAK or CNY."),
    )
    value_date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Provider"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, user: object, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = selectors.component_choices(  # type: ignore[attr-defined]
            user=user, household=household
        )
        self.fields["provider"].queryset = selectors.provider_choices(user=user)  # type: ignore[attr-defined]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def _household_for_edit(request: HttpRequest, household_id: int) -> Household:
    """The household to change; Http404 if the user may not see it, PermissionDenied if they
    may see it but not change it, or if they post to one outside their scope."""
    try:
        household = selectors.household_get_for_user(user=request.user, household_id=household_id)
    except NotFound as exc:
        if request.method == "POST" and Household.objects.filter(id=household_id).exists():
            raise PermissionDenied(_("You may not change this household.")) from exc
        raise Http404(exc.message) from exc
    require_can_edit_household(request.user, household)
    return household


def _household_url(household: Household, anchor: str) -> str:
    return f"{reverse('household-detail', args=[household.id])}#{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
def household_causes(request: HttpRequest, household_id: int) -> HttpResponse:
    try:
        household = _household_for_edit(request, household_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    initial = {
        "main_cause": household.main_cause,
        "secondary_causes": household.secondary_causes,
        "helper": household.helper_id,
    }
    data = request.POST if request.method == "POST" else None
    form = CausesForm(data, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_set_causes(
                user=request.user,
                household=household,
                main_cause=form.cleaned_data["main_cause"],
                secondary_causes=list(form.cleaned_data["secondary_causes"]),
                helper=form.cleaned_data["helper"],
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Causes and helper saved."))
            return redirect(_household_url(household, "causes"))
    return render(
        request,
        "registry/household_causes.html",
        {
            "household": household,
            "personal": selectors.household_personal(request.user, household),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request: HttpRequest, household_id: int) -> HttpResponse:
    try:
        household = _household_for_edit(request, household_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    initial = {
        "currency": household.village.country.currency,
        "value_date": timezone.localdate(),
    }
    data = request.POST if request.method == "POST" else None
    form = MeasureForm(data, initial=initial, user=request.user, household=household)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.assistance_record(
                user=request.user,
                household=household,
                category=cleaned["category"],
                description=cleaned["description"],
                value=cleaned["value"],
                currency=cleaned["currency"],
                value_date=cleaned["value_date"],
                component=cleaned["component"],
                provider=cleaned["provider"],
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Assistance measure recorded."))
            return redirect(_household_url(household, "assistance"))
    return render(
        request,
        "registry/measure_form.html",
        {
            "household": household,
            "personal": selectors.household_personal(request.user, household),
            "form": form,
        },
    )
