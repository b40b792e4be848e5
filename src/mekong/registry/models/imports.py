"""One row per run of the household import: who loaded which file, when, and what it did.

Dry runs and refused imports are recorded too, so the register keeps an account of every
attempt to change it in bulk; the file itself is identified by its SHA-256, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.registry.models.households import SurveyRound


class ImportOutcome(models.TextChoices):
    DRY_RUN = "dry_run", _("Dry run")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused (errors)")


class ImportBatch(models.Model):
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    survey_round = models.ForeignKey(
        SurveyRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey round"),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ImportOutcome.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    households_created = models.PositiveIntegerField(_("households created"), default=0)
    households_updated = models.PositiveIntegerField(_("households updated"), default=0)
    households_unchanged = models.PositiveIntegerField(_("households unchanged"), default=0)
    members_created = models.PositiveIntegerField(_("members created"), default=0)
    members_updated = models.PositiveIntegerField(_("members updated"), default=0)
    members_unchanged = models.PositiveIntegerField(_("members unchanged"), default=0)
    household_observations_created = models.PositiveIntegerField(
        _("household observations created"), default=0
    )
    household_observations_updated = models.PositiveIntegerField(
        _("household observations updated"), default=0
    )
    household_observations_unchanged = models.PositiveIntegerField(
        _("household observations unchanged"), default=0
    )
    member_observations_created = models.PositiveIntegerField(
        _("member observations created"), default=0
    )
    member_observations_updated = models.PositiveIntegerField(
        _("member observations updated"), default=0
    )
    member_observations_unchanged = models.PositiveIntegerField(
        _("member observations unchanged"), default=0
    )
    errors = models.PositiveIntegerField(_("errors"), default=0)
    duplicate_warnings = models.PositiveIntegerField(_("likely duplicates"), default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"
