"""The cooperation itself: frameworks, programmes, projects and what they deliver and spend.

Money is always a Decimal amount with an ISO 4217 currency and a value date; conversions go
only through dated exchange rates (see projects.money). Statuses are TextChoices; the project
cycle's legal moves live in projects.services, and every move is recorded as a transition.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mekong.geo.models import Country, Village
from mekong.partners.models import Organisation, Person

MONEY_DIGITS = 18
MONEY_PLACES = 2


class FocusArea(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("Rural infrastructure")
    PUBLIC_SERVICES = "public_services", _("Public services")
    LIVELIHOOD = "livelihood", _("Livelihood")
    CAPACITY = "capacity", _("Capacity building")
    GOVERNANCE = "governance", _("Rural governance")


class Framework(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="programmes")
    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=255)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    FEASIBILITY = "feasibility", _("Feasibility study")
    APPROVED = "approved", _("Approved")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    LAUNCHED = "launched", _("Launched")
    IMPLEMENTING = "implementing", _("Implementing")
    HANDED_OVER = "handed_over", _("Handed over")
    CLOSED = "closed", _("Closed")


class Project(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=255)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_local = models.CharField(_("title (partner language)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    countries = models.ManyToManyField(
        Country, related_name="projects", verbose_name=_("countries")
    )
    villages = models.ManyToManyField(
        Village, blank=True, related_name="projects", verbose_name=_("villages")
    )
    focus_areas = models.JSONField(
        _("focus areas"), default=list, blank=True, help_text=_("Values of FocusArea.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.IDENTIFIED
    )
    currency = models.CharField(
        _("budget currency"), max_length=3, help_text=_("ISO 4217 code the budget is kept in.")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


class ProjectSector(models.Model):
    """An OECD-DAC purpose code (IATI Sector vocabulary 1) with its share of the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sectors")
    code = models.CharField(_("DAC sector code"), max_length=5)
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projectsector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.percentage} %)"


class ParticipantRole(models.TextChoices):
    FUNDER = "funder", _("Funder")
    IMPLEMENTER = "implementer", _("Implementer")
    COUNTERPART = "counterpart", _("Counterpart")
    CONTRACTOR = "contractor", _("Contractor")


class ProjectParticipant(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"], name="participant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ProjectTransition(models.Model):
    """One dated, attributed move of the project cycle."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    occurred_on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.occurred_on})"


class Component(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="components")
    focus_area = models.CharField(_("focus area"), max_length=20, choices=FocusArea.choices)
    title = models.CharField(_("title"), max_length=255)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=255)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["component", "id"]

    def __str__(self) -> str:
        return self.title


class AssetType(models.TextChoices):
    ROAD = "road", _("Village road")
    BRIDGE = "bridge", _("Bridge")
    WELL = "well", _("Well")
    PIPED_WATER = "piped_water", _("Piped water connections")
    IRRIGATION = "irrigation", _("Irrigation")
    CLASSROOM = "classroom", _("Classrooms")
    CLINIC = "clinic", _("Clinic")
    ACTIVITY_CENTRE = "activity_centre", _("Activity centre")
    HOUSE = "house", _("Houses built or renovated")
    TOILET = "toilet", _("Household toilets")
    STREET_LIGHT = "street_light", _("Solar street lamps")
    ELECTRICITY = "electricity", _("Electricity connections")
    LIVESTOCK = "livestock", _("Livestock delivered")
    DEMO_PLOT = "demo_plot", _("Demonstration plot")
    TRAINING = "training", _("People trained")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    KM = "km", _("km")
    M = "m", _("m")
    M2 = "m2", _("m²")
    M3 = "m3", _("m³")
    HA = "ha", _("ha")
    MU = "mu", _("mu (1/15 ha)")
    UNITS = "units", _("units")
    HOUSEHOLDS = "households", _("households connected")
    HEAD = "head", _("head of livestock")
    PERSONS = "persons", _("persons")


class RoadSurface(models.TextChoices):
    ASPHALT = "asphalt", _("Asphalt")
    CONCRETE = "concrete", _("Concrete")
    GRAVEL = "gravel", _("Gravel")
    EARTH = "earth", _("Earth")


class ProcurementMode(models.TextChoices):
    CHINESE_CONTRACTOR = "chinese_contractor", _("Chinese contractor")
    RECIPIENT_BUILT = "recipient_built", _("Built by the recipient country")
    FORCE_ACCOUNT = "community_force_account", _("Community force account")


class Asset(models.Model):
    """A deliverable with planned and actual quantities (a road's km, a village's wells)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assets")
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    asset_type = models.CharField(_("type"), max_length=20, choices=AssetType.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    planned_quantity = models.DecimalField(
        _("planned quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(0)]
    )
    actual_quantity = models.DecimalField(
        _("actual quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    surface = models.CharField(
        _("road surface"), max_length=10, choices=RoadSurface.choices, blank=True
    )
    procurement_mode = models.CharField(
        _("procurement mode"), max_length=30, choices=ProcurementMode.choices
    )
    contractor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operated and maintained by"),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()} {self.description}".strip()


def progress_photo_path(instance: ProgressUpdate, filename: str) -> str:
    return f"progress/{instance.asset_id}/{filename}"


class ProgressUpdate(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="progress_updates")
    reported_on = models.DateField(_("reported on"))
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MaxValueValidator(100)]
    )
    actual_quantity = models.DecimalField(
        _("actual quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("photo"), upload_to=progress_photo_path, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.asset}: {self.percent_complete} % ({self.reported_on})"


class RateType(models.TextChoices):
    OFFICIAL = "official", _("Official")
    MARKET = "market", _("Market (parallel)")


class ExchangeRate(models.Model):
    """How many units of ``quote`` one unit of ``base`` bought on ``date`` (e.g. USD→MMK)."""

    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate_type = models.CharField(_("rate type"), max_length=10, choices=RateType.choices)
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["base", "quote", "rate_type", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "rate_type", "date"], name="exchangerate_unique"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]
        indexes = [models.Index(fields=["base", "quote", "rate_type", "date"])]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.rate_type}, {self.date})"


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="budget_lines"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("value date"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "year", "component"]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} {self.currency}"


class TransactionKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")
    EXPENDITURE = "expenditure", _("Expenditure")


class Transaction(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="transactions")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=TransactionKind.choices)
    commitment = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        help_text=_("For disbursements: the commitment they draw on."),
    )
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("value date"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["project", "value_date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transaction_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.value_date})"


class Side(models.TextChoices):
    CHINESE = "chinese", _("Chinese side")
    PARTNER = "partner", _("Partner side")


class JointOffice(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="joint_office")
    location = models.CharField(_("location"), max_length=200)
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta:
        verbose_name = _("joint project office")
        verbose_name_plural = _("joint project offices")

    def __str__(self) -> str:
        return f"{self.project.code} – {self.location}"


class JointOfficeMember(models.Model):
    office = models.ForeignKey(JointOffice, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    position = models.CharField(_("position"), max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "person"], name="officemember_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_side_display()})"


class WorkPlan(models.Model):
    """An annual work plan; it binds only once both sides of the joint office approved it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="workplan_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}: {self.title}"


class WorkPlanApproval(models.Model):
    work_plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="approvals")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["work_plan", "side"], name="approval_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.approved_by} ({self.approved_at:%Y-%m-%d})"


class Meeting(models.Model):
    office = models.ForeignKey(JointOffice, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=255)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on}: {self.title}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:80]


class ExpertTeam(models.Model):
    """A numbered batch of experts sent to the partner country."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expert_teams")
    batch_number = models.PositiveSmallIntegerField(_("batch number"))
    arrived_on = models.DateField(_("arrived on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    villages = models.ManyToManyField(Village, blank=True, related_name="+")

    class Meta:
        verbose_name = _("expert work team")
        verbose_name_plural = _("expert work teams")
        ordering = ["project", "batch_number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "batch_number"], name="team_batch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} batch {self.batch_number}"


class ExpertTeamMember(models.Model):
    team = models.ForeignKey(ExpertTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=150)
    specialism = models.CharField(_("specialism"), max_length=150)
    is_leader = models.BooleanField(_("team leader"), default=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.specialism})"


class MissionReport(models.Model):
    team = models.ForeignKey(ExpertTeam, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    summary = models.TextField(_("summary"))

    def __str__(self) -> str:
        return f"{self.team} report {self.reported_on}"


class VotingRound(models.Model):
    """Villagers choose between options by placing beans ("voting with beans")."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="voting_rounds")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"))

    class Meta:
        ordering = ["project", "held_on"]

    def __str__(self) -> str:
        return f"{self.village} vote {self.held_on}"


class VotingOption(models.Model):
    voting_round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(_("option"), max_length=200)
    votes = models.PositiveIntegerField(_("votes (beans)"))
    component = models.ForeignKey(
        Component,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chosen_by",
        help_text=_("The component built for this option, once chosen."),
    )

    class Meta:
        ordering = ["voting_round", "-votes", "title"]

    def __str__(self) -> str:
        return f"{self.title}: {self.votes}"
