"""What a computed indicator computes: a validated query over the register, the assets and
the deliveries, stored in ``Indicator.computation`` (JSON). results.compute evaluates them.

Every computation reads only the villages of the framework's project (or of the projects of
its programme). Register-based kinds use, for each reporting period, each household's latest
observation dated inside the period; asset-based kinds the latest progress on or before the
period's end; delivery-based kinds what happened inside the period.

Kinds (``{"kind": …, …}``):

``headcount``
    Share of people (``per="person"``: household weight × size) or of households below a
    poverty scheme, from the register's classifications. ``scheme`` is a PovertyScheme code
    (its latest version in the round). Percent.
``mpi``
    Alkire-Foster from an ``mpi`` scheme's classifications: ``measure`` is ``H`` (headcount
    ratio, %), ``A`` (intensity, 0–1) or ``M0`` (adjusted headcount, 0–1).
``mean_income``
    Mean net income per person per year (household weight × size), in the observations'
    currency; a period whose villages report in more than one currency has no value and says so.
``household_share``
    Share of households (or people) whose observation meets every condition in ``all``, e.g.
    safe water within 30 minutes:
    ``[{"field": "water_source", "op": "in", "value": ["piped", "protected"]},
    {"field": "water_minutes", "op": "le", "value": 30}]``. Percent.
``asset_quantity``
    Sum of assets' actual quantity (``unit`` must match the assets' unit) of one
    ``asset_type``, optionally one road ``surface``; ``completed_only`` counts only
    completed assets. e.g. km of village road completed.
``asset_count``
    Number of assets of one ``asset_type`` (``completed_only`` as above).
``assisted_households``
    Households with at least one assistance measure (optionally of one ``category``) dated
    inside the period.
``exited_households``
    Households whose exit case reached ``exited`` inside the period.

Disaggregations requested on the indicator (sex, age band, ethnicity, disability, poverty
category, village, country) apply to register-based kinds; ``sex``, ``age_band`` and
``disability`` are of the people (person-level kinds) or of the household head otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from mekong.core.errors import InvalidInput

# Household observation fields a ``household_share`` condition may test, by the kind of
# value they hold (a condition's value must be of that kind, or the refresh could not
# compare them).
OBSERVATION_FIELD_KINDS: dict[str, Literal["bool", "number", "text"]] = {
    "water_source": "text",
    "water_minutes": "number",
    "sanitation": "text",
    "cooking_fuel": "text",
    "electricity": "bool",
    "roof": "text",
    "walls": "text",
    "floor": "text",
    "dangerous_house": "bool",
    "housing_area_m2": "number",
    "land_ha": "number",
    "food_shortage_months": "number",
    "worry_food": "bool",
    "worry_clothing": "bool",
    "undernourished": "bool",
    "child_death_5y": "bool",
}
OBSERVATION_FIELDS = frozenset(OBSERVATION_FIELD_KINDS)


def _value_fits(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return isinstance(value, str)


class _Computation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Headcount(_Computation):
    kind: Literal["headcount"]
    scheme: Annotated[str, Field(min_length=1, max_length=40)]
    per: Literal["person", "household"] = "person"


class Mpi(_Computation):
    kind: Literal["mpi"]
    scheme: Annotated[str, Field(min_length=1, max_length=40)]
    measure: Literal["H", "A", "M0"] = "H"


class MeanIncome(_Computation):
    kind: Literal["mean_income"]


class Condition(_Computation):
    field: Annotated[str, Field(min_length=1)]
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]
    value: bool | int | float | str | list[str]

    def model_post_init(self, context: Any, /) -> None:
        if self.field not in OBSERVATION_FIELDS:
            allowed = ", ".join(sorted(OBSERVATION_FIELDS))
            raise ValueError(
                _("unknown field %(field)r; one of: %(allowed)s")
                % {"field": self.field, "allowed": allowed}
            )
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(_("op %(op)r needs a list of values") % {"op": self.op})
        kind = OBSERVATION_FIELD_KINDS[self.field]
        if kind != "text" and isinstance(self.value, list):
            raise ValueError(
                _("field %(field)r holds a single value: op %(op)r cannot test a list")
                % {"field": self.field, "op": self.op}
            )
        if not _value_fits(kind, self.value):
            expected = {
                "bool": _("true or false"),
                "number": _("a number"),
                "text": _("a text value"),
            }
            raise ValueError(
                _("field %(field)r holds %(kind)s, not %(value)r")
                % {"field": self.field, "kind": expected[kind], "value": self.value}
            )


class HouseholdShare(_Computation):
    kind: Literal["household_share"]
    all: Annotated[list[Condition], Field(min_length=1)]
    per: Literal["person", "household"] = "household"


class AssetQuantity(_Computation):
    kind: Literal["asset_quantity"]
    asset_type: Annotated[str, Field(min_length=1)]
    unit: Annotated[str, Field(min_length=1)]
    surface: str | None = None
    completed_only: bool = True


class AssetCount(_Computation):
    kind: Literal["asset_count"]
    asset_type: Annotated[str, Field(min_length=1)]
    completed_only: bool = True


class AssistedHouseholds(_Computation):
    kind: Literal["assisted_households"]
    category: str | None = None


class ExitedHouseholds(_Computation):
    kind: Literal["exited_households"]


Computation = Annotated[
    Headcount
    | Mpi
    | MeanIncome
    | HouseholdShare
    | AssetQuantity
    | AssetCount
    | AssistedHouseholds
    | ExitedHouseholds,
    Field(discriminator="kind"),
]

_ADAPTER: TypeAdapter[Computation] = TypeAdapter(Computation)

# Kinds that read the household register (and so can be disaggregated and have SEs).
REGISTER_KINDS = frozenset({"headcount", "mpi", "mean_income", "household_share"})


def parse_computation(config: dict[str, Any]) -> Computation:
    """Validate a computed indicator's definition; InvalidInput names the first wrong key."""
    try:
        return _ADAPTER.validate_python(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "kind"
        # Our own checks raise translated messages; pydantic would prefix "Value error, ".
        cause = first.get("ctx", {}).get("error") if first["type"] == "value_error" else None
        message = str(cause) if cause is not None else first["msg"]
        raise InvalidInput(f"computation.{where}: {message}", field=f"computation.{where}") from exc
