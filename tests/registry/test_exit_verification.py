"""Independent verification: reproducible samples, findings, and the rate formulas checked
on small cases computed by hand (docs/exit-verification.md)."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest
from numpy.testing import assert_allclose

from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.partners.models import User
from mekong.registry import verification
from mekong.registry.models import Household, HouseholdStatus, SampleFrame
from tests.conftest import Personas, World
from tests.registry.exit_fixtures import (
    ExitWorld,
    build_exit_world,
    classify,
    household,
    me_officer,
)

ON = date(2024, 6, 1)


@pytest.fixture
def ew(world: World) -> ExitWorld:
    return build_exit_world(world)


@pytest.fixture
def exited(world: World, ew: ExitWorld) -> list[Household]:
    """Six exited households in Min Pyin, four in Aye Chan Thar, two in Laos (out of frame),
    and active ones that are not in the exit frame."""
    rows = [
        household(world.mm_published, f"MM-A-{i:02d}", status=HouseholdStatus.EXITED)
        for i in range(6)
    ] + [
        household(world.mm_hidden, f"MM-B-{i:02d}", status=HouseholdStatus.EXITED) for i in range(4)
    ]
    household(world.la_published, "LA-A-00", status=HouseholdStatus.EXITED)
    household(world.la_published, "LA-A-01", status=HouseholdStatus.EXITED)
    household(world.mm_published, "MM-ACTIVE-00")
    return rows


@pytest.fixture
def analyst(world: World) -> User:
    return me_officer(world)


def _draw(user: object, world: World, *, seed: int, size: int = 4, **kw: object) -> list[str]:
    sample = verification.verification_sample_draw(
        user=user,
        frame=SampleFrame.EXITED,
        country=world.myanmar,
        size=size,
        on=ON,
        seed=seed,
        **kw,  # type: ignore[arg-type]
    )
    return [d.household.external_id for d in sample.draws.select_related("household")]


def test_same_seed_same_households_other_seed_other_households(
    world: World, exited: list[Household], analyst: User
) -> None:
    first = _draw(analyst, world, seed=42)
    assert _draw(analyst, world, seed=42) == first
    assert _draw(analyst, world, seed=7) != first
    # Independently: Random(42).sample over the frame sorted by external ID.
    frame = sorted(h.external_id for h in exited)
    assert first == [frame[i] for i in Random(42).sample(range(10), 4)]


def test_the_seed_is_stored_when_not_given(
    world: World, exited: list[Household], analyst: User
) -> None:
    sample = verification.verification_sample_draw(
        user=analyst, frame=SampleFrame.EXITED, country=world.myanmar, size=3, on=ON
    )
    redrawn = _draw(analyst, world, seed=sample.seed, size=3)
    assert redrawn == [d.household.external_id for d in sample.draws.select_related("household")]
    assert sample.frame_size == 10  # the two Lao and the active household are not in it


def test_stratified_draw_allocates_by_largest_remainder(
    world: World, exited: list[Household], analyst: User
) -> None:
    # size 5 of 6 + 4: quotas 5·6/10 = 3 and 5·4/10 = 2, exact.
    drawn = _draw(analyst, world, seed=1, size=5, stratify_by_village=True)
    assert sum(code.startswith("MM-A") for code in drawn) == 3
    assert sum(code.startswith("MM-B") for code in drawn) == 2
    # size 3: 1.8 and 1.2 floor to 1 and 1; the larger remainder (0.8, Min Pyin) gets the third.
    drawn = _draw(analyst, world, seed=1, size=3, stratify_by_village=True)
    assert sum(code.startswith("MM-A") for code in drawn) == 2
    assert sum(code.startswith("MM-B") for code in drawn) == 1
    assert _draw(analyst, world, seed=1, size=3, stratify_by_village=True) == drawn


def test_a_sample_larger_than_the_frame_takes_the_whole_frame(
    world: World, exited: list[Household], analyst: User
) -> None:
    assert len(_draw(analyst, world, seed=3, size=50)) == 10


def test_the_omission_frame_is_active_households_classified_non_poor(
    world: World, ew: ExitWorld, analyst: User
) -> None:
    non_poor = household(world.mm_published, "MM-NP-1")
    classify(non_poor, ew.r2023, ew.scheme, poor=True)
    classify(non_poor, ew.r2024, ew.scheme, poor=False)  # latest result counts
    poor_now = household(world.mm_published, "MM-P-1")
    classify(poor_now, ew.r2023, ew.scheme, poor=False)
    classify(poor_now, ew.r2024, ew.scheme, poor=True)
    exited_hh = household(world.mm_published, "MM-X-1", status=HouseholdStatus.EXITED)
    classify(exited_hh, ew.r2024, ew.scheme, poor=False)
    household(world.mm_published, "MM-U-1")  # never classified: not in the frame
    frame = verification.sample_frame(
        frame=SampleFrame.NOT_POOR, country=world.myanmar, scheme=ew.scheme
    )
    assert [h.external_id for h in frame] == ["MM-NP-1"]
    in_2023 = verification.sample_frame(
        frame=SampleFrame.NOT_POOR, country=world.myanmar, scheme=ew.scheme, survey_round=ew.r2023
    )
    assert [h.external_id for h in in_2023] == ["MM-P-1"]
    with pytest.raises(InvalidInput, match="scheme") as excinfo:
        verification.verification_sample_draw(
            user=analyst, frame=SampleFrame.NOT_POOR, country=world.myanmar, size=1, on=ON
        )
    assert excinfo.value.field == "scheme"


def test_refusals_when_drawing(
    personas: Personas, world: World, ew: ExitWorld, exited: list[Household], analyst: User
) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        verification.verification_sample_draw(
            user=analyst,
            frame=SampleFrame.EXITED,
            country=world.myanmar,
            size=2,
            on=ON,
            survey_round=ew.r2024,  # no household exited on a case of that round
        )
    with pytest.raises(InvalidInput, match="at least one"):
        _draw(analyst, world, seed=1, size=0)
    for outsider in (personas.la_counterpart, personas.mm_counterpart, personas.enumerator):
        with pytest.raises(PermissionDenied):
            _draw(outsider, world, seed=1)
    assert len(_draw(personas.officer, world, seed=1)) == 4


def test_findings_and_rates_on_a_hand_computed_case(
    world: World, exited: list[Household], analyst: User
) -> None:
    sample = verification.verification_sample_draw(
        user=analyst, frame=SampleFrame.EXITED, country=world.myanmar, size=5, on=ON, seed=11
    )
    drawn = [d.household for d in sample.draws.select_related("household")]
    # Four of five checked: one still poor (a wrongful exit); satisfaction answered by three,
    # two of them satisfied; the fifth household was not reached.
    answers = [(True, False), (False, True), (False, True), (False, None)]
    for hh, (found_poor, satisfied) in zip(drawn, answers, strict=False):
        verification.verification_finding_record(
            user=analyst,
            sample=sample,
            household=hh,
            on=ON,
            found_poor=found_poor,
            satisfied=satisfied,
        )
    rates = verification.verification_rates(sample=sample)
    assert (rates.sampled, rates.checked) == (5, 4)
    assert (rates.error.count, rates.error.total) == (1, 4)
    assert rates.error.rate == 0.25  # 1 / 4
    assert (rates.satisfaction.count, rates.satisfaction.total) == (2, 3)
    # Wilson 95 % for 1/4, by hand with z = 1.96: centre = (0.25 + 0.4802)/1.9604 = 0.3725,
    # half-width = 0.9998 · √(0.046875 + 0.060023) = 0.3269 → [0.0456, 0.6994].
    assert rates.error.low is not None
    assert rates.error.high is not None
    assert_allclose([rates.error.low, rates.error.high], [0.0456, 0.6994], atol=1e-4)

    with pytest.raises(Conflict, match="already"):
        verification.verification_finding_record(
            user=analyst, sample=sample, household=drawn[0], on=ON, found_poor=False
        )
    outsider = next(h for h in exited if h not in drawn)
    with pytest.raises(InvalidInput, match="not drawn") as excinfo:
        verification.verification_finding_record(
            user=analyst, sample=sample, household=outsider, on=ON, found_poor=False
        )
    assert excinfo.value.field == "household"


def test_wilson_reference_values() -> None:
    # statsmodels 0.15 stats.proportion.proportion_confint(1, 10, method="wilson")
    # = (0.0178762, 0.4041500); (0, 20) = (0, 0.1611252); (1, 4) = (0.0455873, 0.6993582).
    assert_allclose(
        [verification.wilson(1, 10).low, verification.wilson(1, 10).high],
        [0.0178762, 0.4041500],
        atol=1e-6,
    )
    zero = verification.wilson(0, 20)
    assert zero.rate == 0.0
    assert_allclose([zero.low, zero.high], [0.0, 0.1611252], atol=1e-6)
    quarter = verification.wilson(1, 4)
    assert_allclose([quarter.low, quarter.high], [0.0455873, 0.6993582], atol=1e-6)
    assert verification.wilson(0, 0).rate is None


def test_an_omission_sample_gives_the_omission_rate(
    world: World, ew: ExitWorld, analyst: User
) -> None:
    rows = []
    for i in range(3):
        hh = household(world.mm_published, f"MM-NP-{i}")
        classify(hh, ew.r2024, ew.scheme, poor=False)
        rows.append(hh)
    sample = verification.verification_sample_draw(
        user=analyst,
        frame=SampleFrame.NOT_POOR,
        country=world.myanmar,
        scheme=ew.scheme,
        size=3,
        on=ON,
        seed=5,
    )
    # Two of three non-poor households found poor by the assessor: omission rate 2/3.
    for hh, found_poor in zip(rows, [True, True, False], strict=True):
        verification.verification_finding_record(
            user=analyst, sample=sample, household=hh, on=ON, found_poor=found_poor
        )
    rates = verification.verification_rates(sample=sample)
    assert rates.frame == SampleFrame.NOT_POOR
    assert (rates.error.count, rates.error.total) == (2, 3)
    assert_allclose(rates.error.rate, 2 / 3, rtol=1e-12)
