"""Organisations of both sides, their people, and users with a role and a scope."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.geo.models import Country


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department")
    PROVINCIAL_CENTRE = "provincial_centre", _("Provincial centre")
    ACADEMY = "academy", _("Academy / research institute")
    NGO = "ngo", _("Non-governmental organisation")
    CONTRACTOR = "contractor", _("Contractor")
    VILLAGE_COMMITTEE = "village_committee", _("Village committee")
    FUND = "fund", _("Fund / donor")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name_latin = models.CharField(_("name (Latin)"), max_length=255)
    name_local = models.CharField(_("name (local script)"), max_length=255, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("parent organisation"),
    )
    village = models.ForeignKey(
        "geo.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("For village committees: the village they serve."),
    )
    website = models.URLField(_("website"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["country__iso3", "name_latin"]

    def __str__(self) -> str:
        return f"{self.acronym} – {self.name_latin}" if self.acronym else self.name_latin


class Person(models.Model):
    """A contact person. Email and phone are personal data: never shown to the public."""

    name_latin = models.CharField(_("name (Latin)"), max_length=150)
    name_local = models.CharField(_("name (local script)"), max_length=150, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("position"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_latin"]

    def __str__(self) -> str:
        return self.name_latin


class Role(models.TextChoices):
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    COUNTERPART = "counterpart", _("Counterpart official")
    JOINT_OFFICE = "joint_office", _("Joint project office member")
    ENUMERATOR = "enumerator", _("Enumerator")
    ME_OFFICER = "me_officer", _("M&E officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A person who signs in. What they see is their scope; what they change, their role's."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.ENUMERATOR)
    person = models.OneToOneField(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )
    scope_all_countries = models.BooleanField(
        _("all countries"),
        default=False,
        help_text=_("Sees every country of the programme (provincial centre staff)."),
    )
    scope_countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("countries in scope")
    )
    scope_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations in scope")
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_value() -> str:
        # The 8 hex characters after "mkb_" are the public prefix: hex, so a prefix never
        # starts with "-" and reads as an option on the command line.
        return f"mkb_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return _hash_token(raw)
