"""Households, members and what each survey round observed of them (a panel per household).

Names, national ID numbers, phones and home coordinates are personal data: they are shown
only to the roles in registry.access.PERSONAL_DATA_READERS and masked everywhere else.
Every change to these rows is kept in a history table (who, when, old and new value).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mekong.geo.models import Country, Village
from mekong.partners.models import Organisation, Person


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXITED = "exited", _("Exited from poverty")
    MOVED = "moved", _("Moved away")
    DISSOLVED = "dissolved", _("Dissolved")


class Cause(models.TextChoices):
    """Causes of poverty of the national registration form (DOMAIN.md §2.3)."""

    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING_COSTS = "schooling_costs", _("Schooling costs")
    DISASTER = "disaster", _("Disaster")
    LACK_OF_LAND = "lack_of_land", _("Lack of land")
    LACK_OF_WATER = "lack_of_water", _("Lack of water")
    LACK_OF_SKILLS = "lack_of_skills", _("Lack of skills")
    LACK_OF_LABOUR = "lack_of_labour", _("Lack of labour")
    LACK_OF_CAPITAL = "lack_of_capital", _("Lack of capital")
    POOR_TRANSPORT = "poor_transport", _("Poor transport")
    LACK_OF_MOTIVATION = "lack_of_motivation", _("Lack of internal motivation")
    OTHER = "other", _("Other")


class Household(models.Model):
    # The (village, status) index serves every lookup by village; a second index on the
    # foreign key alone would only slow the bulk import (docs/import.md, "indexes").
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="register", db_index=False
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        help_text=_("Stable identifier from the census or import file; re-imports match on it."),
    )
    head_name_latin = models.CharField(_("head's name (Latin)"), max_length=150)
    head_name_local = models.CharField(_("head's name (local script)"), max_length=150, blank=True)
    national_id = models.CharField(_("head's national ID"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    latitude = models.DecimalField(
        _("home latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("home longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(
        _("status"), max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    main_cause = models.CharField(
        _("main cause of poverty"), max_length=20, choices=Cause.choices, blank=True
    )
    secondary_causes = models.JSONField(
        _("secondary causes"), default=list, blank=True, help_text=_("Up to two Cause values.")
    )
    helper = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helped_households",
        verbose_name=_("designated helper"),
        db_index=False,
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    # History is read by record (id) and date; its copies of the indexed columns need none.
    history = HistoricalRecords(no_db_index=["external_id", "village", "helper"])

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village", "external_id"]
        # A UniqueConstraint, not unique=True: the same unique index without the second,
        # varchar_pattern_ops copy PostgreSQL gets for LIKE queries nobody runs on IDs.
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="household_external_id_unique")
        ]
        # Partial indexes: households without a helper or an ID number (most of them) add
        # no index entry.
        indexes = [
            models.Index(fields=["village", "status"]),
            models.Index(
                fields=["national_id"],
                name="household_national_id",
                condition=~models.Q(national_id=""),
            ),
            models.Index(
                fields=["helper"],
                name="household_helper",
                condition=models.Q(helper__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Relation(models.TextChoices):
    HEAD = "head", _("Head")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative or member")


class Education(models.TextChoices):
    NONE = "none", _("None")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    TERTIARY = "tertiary", _("Vocational or tertiary")


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    external_id = models.CharField(_("external ID"), max_length=64)
    name_latin = models.CharField(_("name (Latin)"), max_length=150)
    name_local = models.CharField(_("name (local script)"), max_length=150, blank=True)
    national_id = models.CharField(_("national ID"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=60, blank=True)
    education = models.CharField(
        _("education level"), max_length=16, choices=Education.choices, blank=True
    )
    years_of_schooling = models.PositiveSmallIntegerField(
        _("years of schooling"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    is_present = models.BooleanField(_("still in the household"), default=True)
    history = HistoricalRecords(no_db_index=["external_id", "household"])

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="member_external_id_unique")
        ]
        # Children rarely have an ID number; they add no entry.
        indexes = [
            models.Index(
                fields=["national_id"],
                name="member_national_id",
                condition=~models.Q(national_id=""),
            )
        ]

    def __str__(self) -> str:
        return self.external_id


class RoundKind(models.TextChoices):
    CENSUS = "census", _("Census")
    BASELINE = "baseline", _("Baseline")
    ANNUAL_UPDATE = "annual_update", _("Annual update")
    MIDLINE = "midline", _("Midline")
    ENDLINE = "endline", _("Endline")


class SurveyRound(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    instrument_version = models.CharField(_("questionnaire version"), max_length=40, blank=True)
    is_sample = models.BooleanField(
        _("sample survey"),
        default=False,
        help_text=_("A sample (with weights) rather than a census of every household."),
    )

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["started_on", "code"]

    def __str__(self) -> str:
        return self.code


class Material(models.TextChoices):
    FINISHED = "finished", _("Finished (concrete, brick, tile, metal)")
    RUDIMENTARY = "rudimentary", _("Rudimentary (wood planks, bamboo, adobe)")
    NATURAL = "natural", _("Natural (earth, thatch, leaves)")


class WaterSource(models.TextChoices):
    PIPED = "piped", _("Piped water")
    PROTECTED = "protected", _("Protected well or spring")
    UNPROTECTED = "unprotected", _("Unprotected well or spring")
    SURFACE = "surface", _("Surface water")


class Sanitation(models.TextChoices):
    IMPROVED = "improved", _("Improved, not shared")
    SHARED = "shared", _("Improved but shared")
    UNIMPROVED = "unimproved", _("Unimproved")
    NONE = "none", _("None (open defecation)")


class CookingFuel(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas or biogas")
    CHARCOAL = "charcoal", _("Charcoal or coal")
    WOOD = "wood", _("Wood")
    DUNG = "dung", _("Dung or crop residue")


class HouseholdObservation(models.Model):
    """What one survey round recorded of one household. Amounts are per year unless named."""

    # Indexed by the (household, survey_round) unique constraint, which leads with it.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    observed_on = models.DateField(_("observed on"))
    size = models.PositiveSmallIntegerField(_("household size"), validators=[MinValueValidator(1)])
    weight = models.DecimalField(
        _("survey weight"), max_digits=12, decimal_places=4, default=Decimal("1")
    )
    currency = models.CharField(_("currency"), max_length=3)
    income_crops = models.DecimalField(
        _("income from crops"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_livestock = models.DecimalField(
        _("income from livestock"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_wages = models.DecimalField(
        _("wage income"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_business = models.DecimalField(
        _("business income"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_transfers = models.DecimalField(
        _("transfers and subsidies"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_remittances = models.DecimalField(
        _("remittances"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    income_property = models.DecimalField(
        _("property income"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    production_costs = models.DecimalField(
        _("production costs"), default=Decimal("0"), max_digits=18, decimal_places=2
    )
    consumption_monthly = models.DecimalField(
        _("consumption per month"), null=True, blank=True, max_digits=18, decimal_places=2
    )
    housing_area_m2 = models.DecimalField(
        _("housing area (m²)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    roof = models.CharField(_("roof"), max_length=12, choices=Material.choices, blank=True)
    walls = models.CharField(_("walls"), max_length=12, choices=Material.choices, blank=True)
    floor = models.CharField(_("floor"), max_length=12, choices=Material.choices, blank=True)
    dangerous_house = models.BooleanField(_("dangerous house"), default=False)
    water_source = models.CharField(
        _("drinking water"), max_length=12, choices=WaterSource.choices, blank=True
    )
    water_minutes = models.PositiveSmallIntegerField(
        _("minutes to water, round trip"), null=True, blank=True
    )
    sanitation = models.CharField(
        _("sanitation"), max_length=12, choices=Sanitation.choices, blank=True
    )
    cooking_fuel = models.CharField(
        _("cooking fuel"), max_length=12, choices=CookingFuel.choices, blank=True
    )
    electricity = models.BooleanField(_("electricity"), default=False)
    assets = models.JSONField(_("assets"), default=list, blank=True)
    land_ha = models.DecimalField(_("land (ha)"), max_digits=8, decimal_places=3, default=0)
    livestock = models.JSONField(_("livestock (head by species)"), default=dict, blank=True)
    food_shortage_months = models.PositiveSmallIntegerField(
        _("months of food shortage"), default=0, validators=[MaxValueValidator(12)]
    )
    worry_food = models.BooleanField(_("worries about food"), default=False)
    worry_clothing = models.BooleanField(_("worries about clothing"), default=False)
    child_death_5y = models.BooleanField(_("a child died in the last 5 years"), default=False)
    undernourished = models.BooleanField(_("a member is undernourished"), default=False)
    shocks = models.JSONField(_("shocks this year"), default=list, blank=True)
    history = HistoricalRecords(no_db_index=["household", "survey_round"])

    class Meta:
        verbose_name = _("household observation")
        verbose_name_plural = _("household observations")
        ordering = ["household", "observed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "survey_round"], name="observation_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} @ {self.survey_round_id}"

    @property
    def net_income(self) -> Decimal:
        return (
            self.income_crops
            + self.income_livestock
            + self.income_wages
            + self.income_business
            + self.income_transfers
            + self.income_remittances
            + self.income_property
            - self.production_costs
        )

    @property
    def per_capita_income(self) -> Decimal:
        return self.net_income / self.size


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")


class Labour(models.TextChoices):
    FULL = "full", _("Full labour capacity")
    PARTIAL = "partial", _("Partial")
    NONE = "none", _("None")


WG_LEVELS = [MinValueValidator(1), MaxValueValidator(4)]


class MemberObservation(models.Model):
    """A member in one round; Washington Group short set answers 1 (no difficulty) to 4."""

    # Indexed by the (member, survey_round) unique constraint, which leads with it.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    attending_school = models.BooleanField(_("attending school"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, blank=True)
    wg_seeing = models.PositiveSmallIntegerField(_("seeing"), default=1, validators=WG_LEVELS)
    wg_hearing = models.PositiveSmallIntegerField(_("hearing"), default=1, validators=WG_LEVELS)
    wg_walking = models.PositiveSmallIntegerField(_("walking"), default=1, validators=WG_LEVELS)
    wg_cognition = models.PositiveSmallIntegerField(
        _("remembering"), default=1, validators=WG_LEVELS
    )
    wg_self_care = models.PositiveSmallIntegerField(_("self-care"), default=1, validators=WG_LEVELS)
    wg_communication = models.PositiveSmallIntegerField(
        _("communicating"), default=1, validators=WG_LEVELS
    )
    labour = models.CharField(
        _("labour capacity"), max_length=8, choices=Labour.choices, blank=True
    )
    medical_insurance = models.BooleanField(_("has medical insurance"), null=True, blank=True)
    migrant_months = models.PositiveSmallIntegerField(
        _("months away for work"), default=0, validators=[MaxValueValidator(12)]
    )
    history = HistoricalRecords(no_db_index=["member", "survey_round"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "survey_round"], name="member_observation_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.survey_round_id}"

    @property
    def has_disability(self) -> bool:
        """Washington Group: 'a lot of difficulty' (3) or 'cannot do' (4) in any domain."""
        answers = (
            self.wg_seeing,
            self.wg_hearing,
            self.wg_walking,
            self.wg_cognition,
            self.wg_self_care,
            self.wg_communication,
        )
        return any(answer >= 3 for answer in answers)


class AssistanceCategory(models.TextChoices):
    """The "five batches" of measures (DOMAIN.md §2.4), plus a project component."""

    PRODUCTION = "production", _("Production and jobs")
    RELOCATION = "relocation", _("Relocation")
    ECOLOGICAL = "ecological", _("Ecological compensation")
    EDUCATION = "education", _("Education")
    SOCIAL_SECURITY = "social_security", _("Social security")
    PROJECT = "project", _("Project component")


class AssistanceMeasure(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="measures")
    category = models.CharField(_("category"), max_length=16, choices=AssistanceCategory.choices)
    component = models.ForeignKey(
        "projects.Component", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("measure"), max_length=255)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("date"))
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["household", "value_date"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"
