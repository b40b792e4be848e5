"""Rules of results.services: the tree, indicator validation, periods, targets and the
two-step approval of reported values with its refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.results import services
from mekong.results.models import (
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Level,
    Narrative,
    Target,
    Unit,
    ValueStatus,
)
from tests.conftest import Personas
from tests.results.conftest import ResultsWorld
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)

# ---------------------------------------------------------------- result tree


def test_result_levels_follow_the_chain(personas: Personas, results_world: ResultsWorld) -> None:
    fw = results_world.project_framework
    activity = services.node_create(
        user=personas.officer,
        framework=fw,
        level=Level.ACTIVITY,
        code="1.1.1.1",
        statement="Run courses",
        parent=results_world.output,
    )
    assert activity.parent == results_world.output
    with pytest.raises(InvalidInput, match="parent: a goal has no parent"):
        services.node_create(
            user=None,
            framework=fw,
            level=Level.GOAL,
            code="2",
            statement="x",
            parent=results_world.goal,
        )
    with pytest.raises(InvalidInput, match="sits directly under one of level “Outcome”"):
        services.node_create(
            user=None,
            framework=fw,
            level=Level.OUTPUT,
            code="1.2",
            statement="x",
            parent=results_world.goal,
        )
    with pytest.raises(InvalidInput, match="needs a parent of level “Goal”"):
        services.node_create(
            user=None, framework=fw, level=Level.OUTCOME, code="1.3", statement="x"
        )
    other_goal = results_world.programme_framework.nodes.get(code="G")
    with pytest.raises(InvalidInput, match="another framework"):
        services.node_create(
            user=None,
            framework=fw,
            level=Level.OUTCOME,
            code="1.4",
            statement="x",
            parent=other_goal,
        )
    with pytest.raises(Conflict, match="code 1 is used"):
        services.node_create(user=None, framework=fw, level=Level.GOAL, code="1", statement="x")


def test_counterpart_of_another_country_may_not_change_the_tree(
    personas: Personas, results_world: ResultsWorld
) -> None:
    # Counterparts are not framework editors at all; the Lao one is also out of scope.
    with pytest.raises(PermissionDenied):
        services.node_create(
            user=personas.la_counterpart,
            framework=results_world.project_framework,
            level=Level.GOAL,
            code="9",
            statement="x",
        )


# ---------------------------------------------------------------- indicators


def _indicator(rw: ResultsWorld, **fields: object) -> Indicator:
    base: dict[str, object] = {
        "user": None,
        "result": rw.output,
        "code": "X-1",
        "name": "x",
        "unit": Unit.NUMBER,
        "kind": IndicatorKind.REPORTED,
    }
    base.update(fields)
    return services.indicator_create(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": IndicatorKind.COMPUTED}, "computation: a computed indicator needs"),
        (
            {"kind": IndicatorKind.COMPUTED, "computation": {"kind": "headcount"}},
            "computation.headcount.scheme",
        ),
        ({"computation": {"kind": "mean_income"}}, "only computed indicators"),
        ({"kind": IndicatorKind.ROLLUP, "aggregation": "sum"}, "programme frameworks only"),
        ({"aggregation": "sum"}, "aggregation: only roll-up"),
        ({"disaggregations": ["sex", "hair_colour"]}, "disaggregations: a list"),
        ({"disaggregations": ["sex", "sex"]}, "each dimension once"),
        ({"sdg_indicator": "1-2-1"}, "sdg_indicator"),
        ({"sdmx_series": "si pov"}, "sdmx_series"),
        ({"dhis2_data_element": "short"}, "dhis2_data_element"),
        ({"unit": Unit.MONEY}, "currency"),
        ({"currency": "CNY"}, "currency: only money"),
    ],
)
def test_indicator_validation(
    results_world: ResultsWorld, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _indicator(results_world, **fields)
    assert not Indicator.objects.filter(code="X-1").exists()


def test_computed_indicator_keeps_its_parsed_computation(results_world: ResultsWorld) -> None:
    made = _indicator(
        results_world,
        kind=IndicatorKind.COMPUTED,
        unit=Unit.PERCENT,
        computation={"kind": "mpi", "scheme": "GLOBAL-MPI"},
        sdg_indicator="1.2.2",
        sdmx_series="SD_MDP_MUHC",
        dhis2_data_element="fbfJHSPpUQD",
    )
    assert made.computation == {"kind": "mpi", "scheme": "GLOBAL-MPI", "measure": "H"}


def test_rollup_only_in_programme_framework_with_aggregation(results_world: ResultsWorld) -> None:
    pg_goal = results_world.programme_framework.nodes.get(code="G")
    with pytest.raises(InvalidInput, match="aggregation: a roll-up indicator needs"):
        _indicator(results_world, result=pg_goal, kind=IndicatorKind.ROLLUP)
    made = _indicator(results_world, result=pg_goal, kind=IndicatorKind.ROLLUP, aggregation="sum")
    assert made.framework == results_world.programme_framework


def test_contributes_to_rules(results_world: ResultsWorld) -> None:
    rw = results_world
    with pytest.raises(InvalidInput, match=r"contributes_to:.*persons.*this indicator is in km"):
        _indicator(rw, unit=Unit.KM, contributes_to=rw.programme_trained)
    with pytest.raises(InvalidInput, match="not an indicator of programme EA-PILOT"):
        _indicator(rw, contributes_to=rw.trained)
    pg_goal = rw.programme_framework.nodes.get(code="G")
    reported = _indicator(rw, result=pg_goal, code="PG-9")
    with pytest.raises(InvalidInput, match="PG-9 is not a roll-up"):
        _indicator(rw, contributes_to=reported)
    with pytest.raises(InvalidInput, match="only a project's indicators contribute"):
        _indicator(
            rw,
            result=pg_goal,
            kind=IndicatorKind.ROLLUP,
            aggregation="sum",
            unit=Unit.PERSONS,
            contributes_to=rw.programme_trained,
        )
    made = _indicator(rw, unit=Unit.PERSONS, contributes_to=rw.programme_trained)
    assert made.contributes_to == rw.programme_trained


def test_indicator_update_validates_and_keeps_history(
    personas: Personas, results_world: ResultsWorld
) -> None:
    trained = results_world.trained
    with pytest.raises(InvalidInput, match="disaggregations"):
        services.indicator_update(
            user=personas.officer, indicator=trained, changes={"disaggregations": ["shoe"]}
        )
    services.indicator_update(
        user=personas.officer, indicator=trained, changes={"name": "Farmers trained"}
    )
    latest = trained.history.first()
    assert latest is not None
    assert latest.history_user == personas.officer


# ---------------------------------------------------------------- periods and targets


def test_period_dates_and_codes(results_world: ResultsWorld) -> None:
    fw = results_world.project_framework
    with pytest.raises(InvalidInput, match="ends_on"):
        services.period_create(
            user=None,
            framework=fw,
            code="2025",
            starts_on=date(2025, 12, 31),
            ends_on=date(2025, 1, 1),
        )
    with pytest.raises(Conflict, match="Period 2024 exists"):
        services.period_create(
            user=None,
            framework=fw,
            code="2024",
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
        )


def test_target_needs_a_period_of_the_same_framework(results_world: ResultsWorld) -> None:
    rw = results_world
    other = rw.programme_framework.periods.get(code="2024")
    with pytest.raises(InvalidInput, match="period: 2024 belongs to another framework"):
        services.target_set(user=None, indicator=rw.trained, period=other, value=Decimal(100))
    services.target_set(user=None, indicator=rw.trained, period=rw.p2024, value=Decimal(100))
    services.target_set(user=None, indicator=rw.trained, period=rw.p2024, value=Decimal(120))
    assert Target.objects.get(indicator=rw.trained, period=rw.p2024).value == 120


# ---------------------------------------------------------------- values and approval


def _enter(
    rw: ResultsWorld, user: object, value: int, cell: dict[str, str] | None = None
) -> IndicatorValue:
    return services.value_create(
        user=user, indicator=rw.trained, period=rw.p2024, value=value, disaggregation=cell
    )


def _submitted_cells(rw: ResultsWorld, user: object, female: int, male: int) -> None:
    for sex, count in (("F", female), ("M", male)):
        services.value_submit(user=user, value=_enter(rw, user, count, {"sex": sex}))


def test_full_approval_by_three_people(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    # 40 women + 35 men = 75 trained (synthetic attendance sheets).
    _submitted_cells(rw, personas.mm_counterpart, 40, 35)
    total = _enter(rw, personas.mm_counterpart, 75)
    assert total.status == ValueStatus.DRAFT
    assert total.entered_by == personas.mm_counterpart
    services.value_submit(user=personas.mm_counterpart, value=total)
    services.value_verify(user=staff.me_officer, value=total)
    approved = services.value_approve(user=personas.officer, value=total)
    assert approved.status == ValueStatus.APPROVED
    assert (approved.verified_by, approved.approved_by) == (staff.me_officer, personas.officer)
    reasons = [h.history_change_reason for h in approved.history.order_by("history_id")]
    assert reasons[-3:] == ["submitted", "verified", "approved"]


def test_the_person_who_entered_may_not_verify(
    personas: Personas, results_world: ResultsWorld
) -> None:
    total = _enter(results_world, personas.officer, 10)
    services.value_submit(user=personas.officer, value=total)
    with pytest.raises(services.ApprovalStepRefused, match="someone else must verify"):
        services.value_verify(user=personas.officer, value=total)


def test_counterparts_do_not_verify(personas: Personas, results_world: ResultsWorld) -> None:
    total = _enter(results_world, personas.officer, 10)
    services.value_submit(user=personas.officer, value=total)
    with pytest.raises(services.ApprovalStepRefused, match="step 1"):
        services.value_verify(user=personas.mm_counterpart, value=total)


def test_the_verifier_may_not_also_approve(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    rw.trained.disaggregations = []
    rw.trained.save()
    total = _enter(rw, staff.me_officer, 10)
    services.value_submit(user=staff.me_officer, value=total)
    services.value_verify(user=personas.officer, value=total)
    with pytest.raises(services.ApprovalStepRefused, match="third person"):
        services.value_approve(user=personas.officer, value=total)
    # An M&E officer signs for no side; a joint-office member outside this office neither.
    for user in (staff.me_officer, staff.outsider_jo):
        with pytest.raises(services.ApprovalStepRefused, match="signs for"):
            services.value_approve(user=user, value=total)
    assert services.value_approve(user=personas.mm_counterpart, value=total).status == "approved"


def test_la_counterpart_may_not_approve_a_myanmar_value(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    rw.trained.disaggregations = []
    rw.trained.save()
    total = _enter(rw, personas.mm_counterpart, 10)
    services.value_submit(user=personas.mm_counterpart, value=total)
    services.value_verify(user=staff.me_officer, value=total)
    with pytest.raises(services.ApprovalStepRefused):
        services.value_approve(user=personas.la_counterpart, value=total)


def test_reject_and_resubmit(personas: Personas, staff: Staff, results_world: ResultsWorld) -> None:
    rw = results_world
    total = _enter(rw, personas.mm_counterpart, 80)
    services.value_submit(user=personas.mm_counterpart, value=total)
    with pytest.raises(InvalidInput, match="reason"):
        services.value_reject(user=staff.me_officer, value=total, reason="  ")
    returned = services.value_reject(
        user=staff.me_officer, value=total, reason="Sheets show 75, not 80"
    )
    assert returned.status == ValueStatus.REJECTED
    assert returned.rejection_reason == "Sheets show 75, not 80"
    corrected = services.value_update(
        user=personas.mm_counterpart, value=returned, changes={"value": 75}
    )
    assert corrected.status == ValueStatus.DRAFT
    again = services.value_submit(user=personas.mm_counterpart, value=corrected)
    assert again.status == ValueStatus.SUBMITTED
    assert again.rejection_reason == ""
    # Step 2 may also return it: the verification is then void.
    services.value_verify(user=staff.me_officer, value=again)
    back = services.value_reject(user=personas.officer, value=again, reason="Wrong period")
    assert back.status == ValueStatus.REJECTED
    assert back.verified_by is None


def test_submitted_values_cannot_be_edited_or_submitted_twice(
    personas: Personas, results_world: ResultsWorld
) -> None:
    total = _enter(results_world, personas.mm_counterpart, 75)
    services.value_submit(user=personas.mm_counterpart, value=total)
    with pytest.raises(Conflict, match="submitted already"):
        services.value_submit(user=personas.mm_counterpart, value=total)
    with pytest.raises(Conflict, match="only drafts"):
        services.value_update(user=personas.mm_counterpart, value=total, changes={"value": 1})
    with pytest.raises(Conflict, match="has a value already"):
        _enter(results_world, personas.mm_counterpart, 75)
    assert IndicatorValue.objects.filter(indicator=results_world.trained).count() == 1


def test_values_only_for_reported_indicators_and_own_dimensions(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    with pytest.raises(InvalidInput, match="computed from the register"):
        services.value_create(
            user=personas.officer, indicator=rw.headcount, period=rw.p2024, value=10
        )
    with pytest.raises(InvalidInput, match="not broken down by 'village'"):
        _enter(rw, personas.officer, 5, {"village": "MM-V1"})
    with pytest.raises(InvalidInput, match="one dimension per cell"):
        _enter(rw, personas.officer, 5, {"sex": "F", "village": "MM-V1"})
    with pytest.raises(InvalidInput, match=r"disaggregation\.sex: 'W' is not one of F, M"):
        _enter(rw, personas.officer, 5, {"sex": "W"})
    with pytest.raises(InvalidInput, match=r"value: .* cannot be negative"):
        _enter(rw, personas.officer, -5)
    with pytest.raises(InvalidInput, match=r"value: 'many' is not a number"):
        services.value_create(
            user=personas.officer, indicator=rw.trained, period=rw.p2024, value="many"
        )
    other = rw.programme_framework.periods.get(code="2024")
    with pytest.raises(InvalidInput, match="period: 2024 belongs to another framework"):
        services.value_create(user=personas.officer, indicator=rw.trained, period=other, value=1)


def test_enumerator_and_other_country_may_not_enter(
    personas: Personas, results_world: ResultsWorld
) -> None:
    for user in (personas.enumerator, personas.la_counterpart):
        with pytest.raises(PermissionDenied):
            _enter(results_world, user, 5)


@pytest.mark.parametrize(
    ("female", "male", "message"),
    [
        (40, 30, r"add up to 70, not to the total 75: sex=F \(40\) \+ sex=M \(30\)"),
        (40, None, "needs its cells by sex=M"),
        (None, None, "needs its cells by sex"),
    ],
)
def test_total_is_approved_only_when_its_cells_add_up(
    personas: Personas,
    staff: Staff,
    results_world: ResultsWorld,
    female: int | None,
    male: int | None,
    message: str,
) -> None:
    rw = results_world
    for sex, count in (("F", female), ("M", male)):
        if count is not None:
            _enter(rw, personas.mm_counterpart, count, {"sex": sex})
    total = _enter(rw, personas.mm_counterpart, 75)
    services.value_submit(user=personas.mm_counterpart, value=total)
    services.value_verify(user=staff.me_officer, value=total)
    with pytest.raises(services.DisaggregationMismatch, match=message):
        services.value_approve(user=personas.officer, value=total)
    total.refresh_from_db()
    assert total.status == ValueStatus.VERIFIED


def test_percent_totals_are_not_summed(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    share = _indicator(results_world, code="X-2", unit=Unit.PERCENT, disaggregations=["sex"])
    for cell, number in (({"sex": "F"}, 60), ({"sex": "M"}, 50), (None, 55)):
        row = services.value_create(
            user=personas.mm_counterpart,
            indicator=share,
            period=results_world.p2024,
            value=number,
            disaggregation=cell,
        )
    services.value_submit(user=personas.mm_counterpart, value=row)
    services.value_verify(user=staff.me_officer, value=row)
    assert services.value_approve(user=personas.officer, value=row).status == "approved"
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        services.value_create(
            user=personas.officer, indicator=share, period=results_world.p2023, value=101
        )


# ---------------------------------------------------------------- locking


def test_locked_period_refuses_every_write(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    draft = _enter(rw, personas.mm_counterpart, 75)
    submitted = _enter(rw, personas.mm_counterpart, 35, {"sex": "M"})
    services.value_submit(user=personas.mm_counterpart, value=submitted)
    services.period_lock(user=staff.me_officer, period=rw.p2024)
    rw.p2024.refresh_from_db()
    writes: list[Callable[[], object]] = [
        lambda: services.value_verify(user=staff.me_officer, value=submitted),
        lambda: services.value_reject(user=staff.me_officer, value=submitted, reason="x"),
        lambda: services.evidence_attach(
            user=personas.mm_counterpart,
            value=draft,
            upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4 synthetic"),
        ),
        lambda: _enter(rw, personas.mm_counterpart, 40, {"sex": "F"}),
        lambda: services.value_update(
            user=personas.mm_counterpart, value=draft, changes={"value": 1}
        ),
        lambda: services.value_submit(user=personas.mm_counterpart, value=draft),
        lambda: services.target_set(
            user=None, indicator=rw.trained, period=rw.p2024, value=Decimal(1)
        ),
        lambda: services.narrative_write(
            user=None,
            framework=rw.project_framework,
            period=rw.p2024,
            section="summary",
            language="en",
            text="x",
        ),
    ]
    for write in writes:
        with pytest.raises(Conflict, match="Period 2024 is locked"):
            write()
    with pytest.raises(Conflict, match="locked already"):
        services.period_lock(user=personas.officer, period=rw.p2024)


def test_who_locks_and_unlocks(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    for user in (personas.mm_counterpart, personas.enumerator):
        with pytest.raises(PermissionDenied):
            services.period_lock(user=user, period=rw.p2024)
    services.period_lock(user=personas.officer, period=rw.p2024)
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        services.period_unlock(user=personas.officer, period=rw.p2024, reason="typo")
    with pytest.raises(InvalidInput, match="reason"):
        services.period_unlock(user=staff.admin, period=rw.p2024, reason="")
    reopened = services.period_unlock(
        user=staff.admin, period=rw.p2024, reason="Attendance sheet found late"
    )
    assert not reopened.is_locked
    last = reopened.history.first()
    assert last is not None
    assert last.history_user == staff.admin
    assert last.history_change_reason == "unlocked: Attendance sheet found late"


# ---------------------------------------------------------------- narratives


def test_narrative_is_one_per_section_and_language(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    for text in ("First draft", "Second draft"):
        services.narrative_write(
            user=personas.officer,
            framework=rw.project_framework,
            period=rw.p2024,
            section="summary",
            language="zh-hans",
            text=text,
        )
    assert Narrative.objects.get(section="summary", language="zh-hans").text == "Second draft"
    with pytest.raises(InvalidInput, match="section"):
        services.narrative_write(
            user=None,
            framework=rw.project_framework,
            period=rw.p2024,
            section="gossip",
            language="en",
            text="x",
        )
    with pytest.raises(InvalidInput, match="language"):
        services.narrative_write(
            user=None,
            framework=rw.project_framework,
            period=rw.p2024,
            section="summary",
            language="xx",
            text="x",
        )


def test_values_waiting_for_each_persons_step(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    from mekong.results.selectors import values_waiting_for

    rw = results_world
    total = _enter(rw, personas.mm_counterpart, 75)
    services.value_submit(user=personas.mm_counterpart, value=total)

    def steps(user: object) -> list[str]:
        return [w.step for w in values_waiting_for(user=user)]

    # Submitted: the M&E officer and the programme officer may verify; nobody else acts.
    assert steps(staff.me_officer) == ["verify"]
    assert steps(personas.officer) == ["verify"]
    assert steps(personas.mm_counterpart) == []
    assert steps(personas.la_counterpart) == []
    services.value_verify(user=staff.me_officer, value=total)
    # Verified: approvers who sign for a side; the verifier is not asked again.
    assert steps(staff.me_officer) == []
    assert steps(personas.officer) == ["approve"]
    services.value_reject(user=personas.officer, value=total, reason="Recount")
    assert steps(personas.mm_counterpart) == ["correct"]
    assert steps(personas.enumerator) == []
