"""The household register. One module per concern; Django sees them all through this package."""

from mekong.registry.models.households import (
    AssistanceCategory,
    AssistanceMeasure,
    Cause,
    Household,
    HouseholdObservation,
    HouseholdStatus,
    Member,
    MemberObservation,
    RoundKind,
    SurveyRound,
)
from mekong.registry.models.imports import ImportBatch, ImportOutcome
from mekong.registry.models.schemes import Classification, PovertyScheme, SchemeKind

__all__ = [
    "AssistanceCategory",
    "AssistanceMeasure",
    "Cause",
    "Classification",
    "Household",
    "HouseholdObservation",
    "HouseholdStatus",
    "ImportBatch",
    "ImportOutcome",
    "Member",
    "MemberObservation",
    "PovertyScheme",
    "RoundKind",
    "SchemeKind",
    "SurveyRound",
]
