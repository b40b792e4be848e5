"""Countries, an administrative-area tree of any depth, and villages.

Place names carry a local-script form (Burmese, Lao, Khmer, Thai, Vietnamese, Chinese) and a
Latin form; UIs show the one that suits the reader's language.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Country names in the interface language come from the catalogue, not the database, so that
# a translator fixes them once for every page.
COUNTRY_NAMES = {
    "CHN": _("China"),
    "MMR": _("Myanmar"),
    "LAO": _("Lao PDR"),
    "KHM": _("Cambodia"),
    "THA": _("Thailand"),
    "VNM": _("Viet Nam"),
}

# Languages whose readers get local-script names first.
_LOCAL_SCRIPT_LANGUAGES = {
    "CHN": "zh-hans",
    "MMR": "my",
    "LAO": "lo",
    "KHM": "km",
    "THA": "th",
    "VNM": "vi",
}


class Country(models.Model):
    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166 alpha-2 code"), max_length=2, unique=True)
    name_latin = models.CharField(_("name (Latin)"), max_length=100)
    name_local = models.CharField(_("name (local script)"), max_length=100, blank=True)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    is_partner = models.BooleanField(
        _("partner country"),
        default=True,
        help_text=_("Receives cooperation projects (false for China, the provider)."),
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["iso3"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(COUNTRY_NAMES.get(self.iso3, self.name_latin))


class AdminLevel(models.TextChoices):
    PROVINCE = "province", _("Province / state / region")
    PREFECTURE = "prefecture", _("Prefecture / district")
    COUNTY = "county", _("County / township / district")
    TOWNSHIP = "township", _("Township / commune / village tract")
    OTHER = "other", _("Other")


class PlaceName(models.Model):
    """Abstract: a place named in local script and in Latin letters."""

    name_latin = models.CharField(_("name (Latin)"), max_length=150)
    name_local = models.CharField(_("name (local script)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def display_name_for(self, country_iso3: str) -> str:
        if self.name_local and get_language() == _LOCAL_SCRIPT_LANGUAGES.get(country_iso3):
            return self.name_local
        return self.name_latin


class AdminArea(PlaceName):
    """A node of a country's administrative tree; any depth, ``path`` for subtree queries."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="admin_areas")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("level"), max_length=20, choices=AdminLevel.choices)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Official or HASC-style code, unique in its country.")
    )
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    # Materialised path of ancestor codes ("MMR/MM.MA/NPT-LEWE/"), set by geo.services so
    # that "everything under this township" is one indexed prefix query.
    path = models.CharField(max_length=500, editable=False, db_index=True)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["country__iso3", "path"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="adminarea_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name_latin} ({self.get_level_display()})"

    @property
    def display_name(self) -> str:
        return self.display_name_for(self.country.iso3)


class Village(PlaceName):
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="villages")
    admin_area = models.ForeignKey(
        AdminArea,
        on_delete=models.PROTECT,
        related_name="villages",
        help_text=_("The lowest administrative area the village belongs to."),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    is_demonstration = models.BooleanField(
        _("demonstration village"),
        default=False,
        help_text=_("One of the programme's village-level demonstration sites."),
    )
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Shown on the public map and village pages (aggregates only)."),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Made by the demo generator; not real data."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["country__iso3", "name_latin"]
        indexes = [models.Index(fields=["country", "name_latin"])]

    def __str__(self) -> str:
        return self.name_latin

    @property
    def display_name(self) -> str:
        return self.display_name_for(self.country.iso3)

    @property
    def household_size(self) -> float | None:
        if self.population and self.households:
            return self.population / self.households
        return None
