"""Identification schemes (configuration, versioned) and the dated result per household."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mekong.geo.models import Country
from mekong.registry.models.households import Household, SurveyRound


class SchemeKind(models.TextChoices):
    MONETARY = "monetary", _("National monetary line")
    INTERNATIONAL = "international", _("International line (PPP)")
    MPI = "mpi", _("Multidimensional poverty index")
    CHINA = "china", _("Income and “two no-worries, three guarantees”")
    SCORING = "scoring", _("Scoring (IDPoor style)")


class PovertyScheme(models.Model):
    """A way of deciding who is poor. ``config`` is validated by registry.schemes per kind;
    a changed rule is a new version, so earlier results keep the rule they were made with."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SchemeKind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("poverty scheme")
        verbose_name_plural = _("poverty schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Classification(models.Model):
    """One household's result under one scheme in one round, with the reasons."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="classifications"
    )
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(PovertyScheme, on_delete=models.PROTECT, related_name="results")
    poor = models.BooleanField(_("poor"))
    level = models.CharField(_("level"), max_length=20)
    value = models.DecimalField(
        _("value"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Welfare per person and period, deprivation score or points."),
    )
    reasons = models.JSONField(_("reasons"), default=dict)
    classified_at = models.DateTimeField(auto_now=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "survey_round", "scheme"], name="classification_unique"
            )
        ]
        indexes = [models.Index(fields=["scheme", "survey_round", "poor"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.scheme} {self.level}"
