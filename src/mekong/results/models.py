"""Results frameworks: goal → outcomes → outputs → activities, their indicators, targets and
values.

An indicator is *reported* (entered or imported with evidence, approved in two steps, frozen
when its period locks), *computed* (defined once as a query over the register, assets and
deliveries in ``computation`` and refreshed with mekong.measure), or a *roll-up* (a programme
indicator that adds up or averages the project indicators that contribute to it).

Every value row is one indicator in one period for one cell of its disaggregation:
``disaggregation`` ``{}`` is the total, ``{"sex": "F"}`` one cell. ``disaggregation_key``
is the same dict as canonical text (``"sex=F"``, ``"sex=F|village=MM-01"``) so the database
can keep one value per cell.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mekong.partners.models import Organisation
from mekong.projects.models import Programme, Project

VALUE_DIGITS = 20
VALUE_PLACES = 6


class Level(models.TextChoices):
    GOAL = "goal", _("Goal")
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")
    ACTIVITY = "activity", _("Activity")


# A result sits directly under a result one level up (goal has no parent).
LEVEL_ORDER: tuple[Level, ...] = (Level.GOAL, Level.OUTCOME, Level.OUTPUT, Level.ACTIVITY)


class ResultsFramework(models.Model):
    """The logframe of one programme or of one project (exactly one of the two)."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results_framework",
    )
    project = models.OneToOneField(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="results_framework"
    )
    title = models.CharField(_("title"), max_length=255)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Title in other languages, e.g. {"zh-hans": "…", "my": "…"}.'),
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("results framework")
        verbose_name_plural = _("results frameworks")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(programme__isnull=False) & Q(project__isnull=True))
                | (Q(programme__isnull=True) & Q(project__isnull=False)),
                name="framework_programme_xor_project",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_code(self) -> str:
        owner = self.project if self.project_id else self.programme
        return owner.code if owner is not None else ""


class ResultNode(models.Model):
    """One statement of the results chain (a goal, an outcome, an output or an activity)."""

    framework = models.ForeignKey(ResultsFramework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=30)
    statement = models.CharField(_("statement"), max_length=500)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="result_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.statement}"


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    PROPORTION = "proportion", _("proportion (0–1)")
    NUMBER = "number", _("number")
    PERSONS = "persons", _("persons")
    HOUSEHOLDS = "households", _("households")
    KM = "km", _("km")
    HA = "ha", _("ha")
    M2 = "m2", _("m²")
    TONNES_PER_HA = "t_per_ha", _("t/ha")
    MINUTES = "minutes", _("minutes")
    MONEY_PER_PERSON_YEAR = "money_per_person_year", _("currency per person per year")
    MONEY = "money", _("currency")
    INDEX = "index", _("index")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")
    MAINTAIN = "maintain", _("Keep at target")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    ANNUAL = "annual", _("Annual")
    PER_ROUND = "per_round", _("Each survey round")


class IndicatorKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    COMPUTED = "computed", _("Computed from the register")
    ROLLUP = "rollup", _("Rolled up from projects")


class Aggregation(models.TextChoices):
    """How a roll-up indicator combines the values of the indicators contributing to it."""

    SUM = "sum", _("Sum")
    WEIGHTED_MEAN = "weighted_mean", _("Mean weighted by population")


class Dimension(models.TextChoices):
    SEX = "sex", _("Sex")
    AGE_BAND = "age_band", _("Age band")
    ETHNICITY = "ethnicity", _("Ethnicity")
    DISABILITY = "disability", _("Disability")
    POVERTY_CATEGORY = "poverty_category", _("Poverty category")
    VILLAGE = "village", _("Village")
    COUNTRY = "country", _("Country")


class Indicator(models.Model):
    framework = models.ForeignKey(
        ResultsFramework, on_delete=models.CASCADE, related_name="indicators"
    )
    result = models.ForeignKey(ResultNode, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=255)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Name in other languages, e.g. {"zh-hans": "…", "my": "…"}.'),
    )
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=24, choices=Unit.choices)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("For money units (ISO 4217).")
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    computation = models.JSONField(
        _("computation"),
        default=dict,
        blank=True,
        help_text=_("For computed indicators: the query over the register (see the manual)."),
    )
    contributes_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("contributes to"),
        help_text=_("The programme indicator this project indicator rolls up into."),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, blank=True
    )
    data_source = models.CharField(_("data source"), max_length=255, blank=True)
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible party"),
    )
    disaggregations = models.JSONField(
        _("required disaggregations"),
        default=list,
        blank=True,
        help_text=_("Dimensions every value must also be given by (see Dimension)."),
    )
    baseline_value = models.DecimalField(
        _("baseline"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    sdg_indicator = models.CharField(
        _("SDG indicator"), max_length=12, blank=True, help_text=_("e.g. 1.2.1")
    )
    sdmx_series = models.CharField(
        _("SDMX series"), max_length=30, blank=True, help_text=_("e.g. SI_POV_NAHC")
    )
    dhis2_data_element = models.CharField(
        _("DHIS2 data element"), max_length=11, blank=True, help_text=_("11-character UID")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def text(self, language: str) -> str:
        """The name in ``language`` (a Django language code), falling back to English."""
        found: Any = (
            self.translations.get(language) if isinstance(self.translations, dict) else None
        )
        return str(found) if found else self.name


class ReportingPeriod(models.Model):
    """A period a framework reports on. Once locked, no value in it changes."""

    framework = models.ForeignKey(
        ResultsFramework, on_delete=models.CASCADE, related_name="periods"
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. 2025, 2025-H1, 2025-Q3"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["framework", "starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="period_code_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "period__starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period.code}: {self.value}"


class ValueSource(models.TextChoices):
    REPORTED = "reported", _("Reported")
    COMPUTED = "computed", _("Computed")
    ROLLUP = "rollup", _("Rolled up")


class ValueStatus(models.TextChoices):
    """Reported values: draft → submitted → verified (step 1) → approved (step 2); a rejection
    at either step sends the value back to be corrected and submitted again. Computed and
    rolled-up values are ``computed``: the data they come from are approved elsewhere."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned for correction")
    COMPUTED = "computed", _("Computed")


SEX_CATEGORIES = {"F": _("Female"), "M": _("Male")}


def category_text(
    dimension: str, category: object, names: dict[str, dict[str, str]] | None = None
) -> str:
    """A cell's category for readers: a sex in words, a village or country by its name when
    ``names`` (dimension → code → name) has it, otherwise the stored category."""
    raw = str(category)
    if dimension == Dimension.SEX:
        return str(SEX_CATEGORIES.get(raw, raw))
    return (names or {}).get(dimension, {}).get(raw, raw)


def disaggregation_key(cell: dict[str, str]) -> str:
    """Canonical text of a disaggregation cell: ``""`` for the total, else sorted ``k=v|…``."""
    return "|".join(f"{k}={cell[k]}" for k in sorted(cell))


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="values")
    disaggregation = models.JSONField(_("disaggregation"), default=dict, blank=True)
    disaggregation_key = models.CharField(max_length=255, blank=True, default="")
    value = models.DecimalField(
        _("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    unavailable_reason = models.TextField(
        _("why there is no value"),
        blank=True,
        help_text=_("Filled when a computed value could not be computed."),
    )
    se = models.FloatField(_("standard error"), null=True, blank=True)
    ci_low = models.FloatField(_("confidence interval, low"), null=True, blank=True)
    ci_high = models.FloatField(_("confidence interval, high"), null=True, blank=True)
    n = models.PositiveIntegerField(_("observations"), null=True, blank=True)
    population = models.FloatField(_("population (weighted)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ValueSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=ValueStatus.choices)
    note = models.TextField(_("note"), blank=True)
    rejection_reason = models.TextField(_("reason returned"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period__starts_on", "disaggregation_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "disaggregation_key"], name="value_cell_unique"
            )
        ]

    def __str__(self) -> str:
        cell = f" [{self.disaggregation_key}]" if self.disaggregation_key else ""
        return f"{self.indicator.code} {self.period.code}{cell}: {self.value}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.value_id}/{filename}"


class Evidence(models.Model):
    """A file behind a reported value (attendance sheet, engineer's sign-off, photo)."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    description = models.CharField(_("description"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["value", "uploaded_at"]

    def __str__(self) -> str:
        return self.description or str(self.file.name)


class NarrativeSection(models.TextChoices):
    SUMMARY = "summary", _("Summary")
    PROGRESS = "progress", _("Progress against results")
    CHALLENGES = "challenges", _("Challenges and responses")
    NEXT_STEPS = "next_steps", _("Plans for the next period")


class Narrative(models.Model):
    """Text the office writes for a period's progress report, per section and language."""

    framework = models.ForeignKey(
        ResultsFramework, on_delete=models.CASCADE, related_name="narratives"
    )
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="narratives")
    section = models.CharField(_("section"), max_length=12, choices=NarrativeSection.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("text"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["framework", "period", "section", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "period", "section", "language"], name="narrative_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework} {self.period} {self.section} ({self.language})"


class AnalysisKind(models.TextChoices):
    HEADCOUNT_BY_VILLAGE = "headcount_by_village", _("Poverty headcount by village and round")
    MPI_COMPOSITION = "mpi_composition", _("MPI composition by indicator")
    GROWTH_INCIDENCE = "growth_incidence", _("Growth incidence of income")


class Analysis(models.Model):
    """A precomputed dashboard series (kept so pages stay fast with a million households).
    ``payload`` holds aggregates only — never a household's data."""

    framework = models.ForeignKey(
        ResultsFramework, on_delete=models.CASCADE, related_name="analyses"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AnalysisKind.choices)
    key = models.CharField(_("key"), max_length=100, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")
        constraints = [
            models.UniqueConstraint(fields=["framework", "kind", "key"], name="analysis_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework} {self.kind} {self.key}"
