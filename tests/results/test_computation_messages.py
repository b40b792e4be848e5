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
