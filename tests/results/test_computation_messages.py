"""The computation's own checks speak the reader's language (and carry no pydantic prefix)."""

from __future__ import annotations

import pytest

from mekong.core.errors import InvalidInput
from mekong.results import computations
from mekong.results.computations import parse_computation


@pytest.mark.parametrize(
    ("config", "english"),
    [
        (
            {"kind": "household_share", "all": [{"field": "nope", "op": "eq", "value": 1}]},
            "unknown field 'nope'; one of:",
        ),
        (
            {"kind": "household_share", "all": [{"field": "electricity", "op": "in", "value": 1}]},
            "op 'in' needs a list of values",
        ),
        # A value of the wrong kind would make the refresh's comparison fail (a crash of the
        # whole framework's refresh), so it is refused when the indicator is saved.
        (
            {
                "kind": "household_share",
                "all": [{"field": "water_minutes", "op": "le", "value": "30"}],
            },
            "field 'water_minutes' holds a number, not '30'",
        ),
        (
            {
                "kind": "household_share",
                "all": [{"field": "water_minutes", "op": "in", "value": ["5", "10"]}],
            },
            "field 'water_minutes' holds a single value: op 'in' cannot test a list",
        ),
        (
            {"kind": "household_share", "all": [{"field": "electricity", "op": "eq", "value": 1}]},
            "field 'electricity' holds true or false, not 1",
        ),
        (
            {"kind": "household_share", "all": [{"field": "roof", "op": "eq", "value": 2}]},
            "field 'roof' holds a text value, not 2",
        ),
    ],
)
def test_condition_errors_are_translated(
    config: dict[str, object], english: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_computation(config)
    assert refused.value.field == "computation.household_share.all.0"
    assert english in refused.value.message
    assert "Value error" not in refused.value.message
    # The message goes through gettext (the catalogue gets it from tools/translations).
    monkeypatch.setattr(computations, "_", lambda text: "«" + text + "»")
    with pytest.raises(InvalidInput) as marked:
        parse_computation(config)
    assert ": «" in marked.value.message


def test_conditions_of_the_right_kind_pass() -> None:
    parse_computation(
        {
            "kind": "household_share",
            "all": [
                {"field": "water_source", "op": "in", "value": ["piped"]},
                {"field": "water_minutes", "op": "le", "value": 30},
                {"field": "land_ha", "op": "gt", "value": 0.5},
                {"field": "electricity", "op": "eq", "value": True},
                {"field": "roof", "op": "ne", "value": "thatch"},
            ],
        }
    )
