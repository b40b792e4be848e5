"""Register extracts for analysis: one row per household and round, pseudonymised unless the
user may see names. Columns are stable so analysts can script against them (e.g. with
mekong.measure)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any, Literal

import polars as pl

from mekong.geo.models import Village
from mekong.registry.access import can_see_personal_data, households_visible_to, pseudonym
from mekong.registry.models import Classification, HouseholdObservation, SurveyRound

Format = Literal["csv", "parquet"]


def register_frame(
    *, user: object, village: Village | None = None, survey_round: SurveyRound | None = None
) -> pl.DataFrame:
    personal = can_see_personal_data(user)
    observations = HouseholdObservation.objects.filter(
        household__in=households_visible_to(user)
    ).select_related("household", "household__village", "survey_round")
    if village is not None:
        observations = observations.filter(household__village=village)
    if survey_round is not None:
        observations = observations.filter(survey_round=survey_round)
    results: dict[tuple[int, int], dict[str, Any]] = {}
    for c in Classification.objects.filter(
        household__in=observations.values("household_id")
    ).select_related("scheme"):
        found = results.setdefault((c.household_id, c.survey_round_id), {})
        found[f"poor_{c.scheme.code}"] = c.poor
        found[f"level_{c.scheme.code}"] = c.level
    rows: list[dict[str, Any]] = []
    for o in observations.order_by("household__external_id", "observed_on").iterator(2000):
        household = o.household
        row: dict[str, Any] = {
            "household": household.external_id if personal else pseudonym(household.external_id),
            "village": household.village.code,
            "round": o.survey_round.code,
            "round_kind": o.survey_round.kind,
            "observed_on": o.observed_on,
            "size": o.size,
            "weight": float(o.weight),
            "currency": o.currency,
            "net_income": float(o.net_income),
            "per_capita_income": float(o.per_capita_income),
            "consumption_monthly": (
                float(o.consumption_monthly) if o.consumption_monthly is not None else None
            ),
            "land_ha": float(Decimal(o.land_ha)),
            "electricity": o.electricity,
            "water_source": o.water_source,
            "sanitation": o.sanitation,
            "cooking_fuel": o.cooking_fuel,
            "status": household.status,
        }
        if personal:
            row["head_name"] = household.head_name_latin
            row["national_id"] = household.national_id
        row.update(results.get((household.id, o.survey_round_id), {}))
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def register_export(frame: pl.DataFrame, fmt: Format) -> bytes:
    buffer = BytesIO()
    if fmt == "parquet":
        frame.write_parquet(buffer)
    else:
        frame.write_csv(buffer)
    return buffer.getvalue()
