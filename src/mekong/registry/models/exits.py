"""Exit from poverty, its independent verification, and watching for relapse.

An exit runs as a case through the steps of a jurisdiction's ``ExitPolicy`` (DOMAIN.md §2.5,
§6B): proposal → verification visit → village appraisal → public notice (objections lodged
and resolved) → approval by both sides of the joint office → exited. Every step is kept in
``ExitStep`` and every change of a case or objection in a history table (who, when, old and
new value). The rules live in registry.exits and registry.relapse, not here.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mekong.geo.models import AdminArea, Country
from mekong.registry.models.households import Household, SurveyRound
from mekong.registry.models.schemes import Classification, PovertyScheme


def default_shock_triggers() -> list[str]:
    return ["illness", "disaster", "disability"]


class ExitPolicy(models.Model):
    """How exits are decided and relapse is watched in one jurisdiction from a date on.

    A country-wide policy may be refined for an administrative area (a province adding a
    longer notice, say); the most specific policy valid on a date applies. A changed rule is a
    new row with a later ``valid_from``, so cases keep the policy they were run under.
    """

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    admin_area = models.ForeignKey(
        AdminArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole country."),
    )
    name = models.CharField(_("name"), max_length=200)
    scheme = models.ForeignKey(
        PovertyScheme,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheme deciding exit"),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (days)"), default=7, validators=[MaxValueValidator(365)]
    )
    visit_required = models.BooleanField(_("verification visit required"), default=True)
    relapse_multiplier = models.DecimalField(
        _("relapse watch multiplier of the line"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.5"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    income_fall_threshold = models.DecimalField(
        _("income fall that raises an alert"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.2"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of per-capita net income lost since the previous round, e.g. 0.2."),
    )
    shock_triggers = models.JSONField(
        _("shocks that raise an alert"), default=default_shock_triggers, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit policy")
        verbose_name_plural = _("exit policies")
        ordering = ["country", "-valid_from"]

    def __str__(self) -> str:
        return self.name


class ExitState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    VISITED = "visited", _("Verification visit done")
    APPRAISED = "appraised", _("Appraised by the village")
    ON_NOTICE = "on_notice", _("On public notice")
    NOTICE_CLOSED = "notice_closed", _("Notice closed, awaiting approval")
    APPROVED = "approved", _("Approved by one side")
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_EXIT_STATES = (
    ExitState.PROPOSED,
    ExitState.VISITED,
    ExitState.APPRAISED,
    ExitState.ON_NOTICE,
    ExitState.NOTICE_CLOSED,
    ExitState.APPROVED,
)


class ExitCase(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="exit_cases")
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(ExitPolicy, on_delete=models.PROTECT, related_name="cases")
    classification = models.ForeignKey(
        Classification,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheme result used"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ExitState.choices, default=ExitState.PROPOSED
    )
    proposed_on = models.DateField(_("proposed on"))
    proposed_at = models.DateTimeField(auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visit_note = models.TextField(_("visit findings"), blank=True)
    appraised_on = models.DateField(_("appraised on"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    notice_posted_on = models.DateField(_("notice posted on"), null=True, blank=True)
    notice_closed_on = models.DateField(_("notice closed on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection or withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit case")
        verbose_name_plural = _("exit cases")
        ordering = ["household", "-proposed_on", "-id"]
        constraints = [
            # One case at a time: two open cases could both end in an exit.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(state__in=[s.value for s in OPEN_EXIT_STATES]),
                name="exit_case_one_open_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_EXIT_STATES


class ExitEvent(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    VISITED = "visited", _("Verification visit")
    APPRAISED = "appraised", _("Village appraisal")
    NOTICE_POSTED = "notice_posted", _("Notice posted")
    OBJECTION_LODGED = "objection_lodged", _("Objection lodged")
    OBJECTION_RESOLVED = "objection_resolved", _("Objection resolved")
    NOTICE_CLOSED = "notice_closed", _("Notice closed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExitStep(models.Model):
    """One event of a case, in order; ``from_state`` equals ``to_state`` for objections."""

    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="steps")
    event = models.CharField(_("event"), max_length=20, choices=ExitEvent.choices)
    from_state = models.CharField(_("from"), max_length=16, choices=ExitState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=ExitState.choices)
    on = models.DateField(_("on"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("exit step")
        verbose_name_plural = _("exit steps")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.event} {self.on}"


class Objection(models.Model):
    """An objection raised during the public notice. Who objected is not stored: villagers
    object in confidence, and only the substance matters to the decision."""

    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="objections")
    lodged_on = models.DateField(_("lodged on"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["case", "lodged_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} objection {self.lodged_on}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None


class ExitApproval(models.Model):
    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="approvals")
    # Same values as projects.models.Side; a string here keeps the register free of projects.
    side = models.CharField(
        _("side"),
        max_length=10,
        choices=[("chinese", _("Chinese side")), ("partner", _("Partner side"))],
    )
    approved_on = models.DateField(_("approved on"))
    approved_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit approval")
        verbose_name_plural = _("exit approvals")
        ordering = ["case", "approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "side"], name="exit_approval_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.side}"


class SampleFrame(models.TextChoices):
    EXITED = "exited", _("Exited households (wrongful-exit check)")
    NOT_POOR = "not_poor", _("Active households classified non-poor (omission check)")


class VerificationSample(models.Model):
    """A reproducible random draw for the independent (third-party) check of DOMAIN.md §6D.

    The frame is listed in ``external_id`` order and drawn with ``random.Random(seed)``, so
    the same seed over the same frame gives the same households (registry.exits).
    """

    frame = models.CharField(_("frame"), max_length=10, choices=SampleFrame.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    survey_round = models.ForeignKey(
        SurveyRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scheme = models.ForeignKey(
        PovertyScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the omission check: the scheme whose non-poor result is checked."),
    )
    seed = models.BigIntegerField(_("random seed"))
    size = models.PositiveIntegerField(_("requested size"), validators=[MinValueValidator(1)])
    frame_size = models.PositiveIntegerField(_("households in the frame"))
    stratify_by_village = models.BooleanField(_("stratified by village"), default=False)
    assessor = models.CharField(_("assessor organisation"), max_length=200, blank=True)
    drawn_on = models.DateField(_("drawn on"))
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    households = models.ManyToManyField(
        Household, through="SampledHousehold", related_name="verification_samples"
    )

    class Meta:
        verbose_name = _("verification sample")
        verbose_name_plural = _("verification samples")
        ordering = ["-drawn_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_frame_display()} {self.country_id} seed {self.seed}"


class SampledHousehold(models.Model):
    sample = models.ForeignKey(VerificationSample, on_delete=models.CASCADE, related_name="draws")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    draw_order = models.PositiveIntegerField(_("draw order"))

    class Meta:
        ordering = ["sample", "draw_order"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "household"], name="sampled_once"),
            models.UniqueConstraint(fields=["sample", "draw_order"], name="sample_draw_order"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} #{self.draw_order}"


class VerificationFinding(models.Model):
    sample = models.ForeignKey(
        VerificationSample, on_delete=models.CASCADE, related_name="findings"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("checked on"))
    found_poor = models.BooleanField(
        _("found poor by the assessor"),
        help_text=_(
            "In an exit sample: still poor, a wrongful exit. In a non-poor sample: an omission."
        ),
    )
    satisfied = models.BooleanField(_("satisfied with the process"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification finding")
        verbose_name_plural = _("verification findings")
        ordering = ["sample", "household"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "household"], name="finding_once_per_sample")
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} {self.household_id}"


class RelapseTrigger(models.TextChoices):
    LOW_INCOME = "low_income", _("Income below the watch line")
    INCOME_FALL = "income_fall", _("Income fell since the previous round")
    SHOCK = "shock", _("Shock (illness, disaster, disability)")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AlertOutcome(models.TextChoices):
    STABILISED = "stabilised", _("Risk removed, household stable")
    RE_ENTERED = "re_entered", _("Returned to the poor register")
    FALSE_ALARM = "false_alarm", _("False alarm (data error)")
    MOVED = "moved", _("Household moved or dissolved")


class RelapseAlert(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="alerts")
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(ExitPolicy, on_delete=models.PROTECT, related_name="+")
    triggers = models.JSONField(_("triggers"), default=list)
    details = models.JSONField(
        _("evidence"), default=dict, help_text=_("Incomes, thresholds and shocks behind it.")
    )
    opened_on = models.DateField(_("opened on"))
    opened_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=AlertOutcome.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relapse alert")
        verbose_name_plural = _("relapse alerts")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # What makes a re-run of the scan harmless: one alert per household and round,
            # and never two open alerts for the same household.
            models.UniqueConstraint(
                fields=["household", "survey_round"], name="alert_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open"),
                name="alert_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {','.join(self.triggers)}"


class FollowUp(models.Model):
    alert = models.ForeignKey(RelapseAlert, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("on"))
    action = models.TextField(_("action taken"))
    outcome = models.TextField(_("outcome"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["alert", "on", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.on}"
