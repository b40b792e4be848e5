"""Independent verification of exits (DOMAIN.md §2.5, §6D): reproducible samples, findings,
wrongful-exit, omission and satisfaction rates. Formulas: docs/exit-verification.md.

Two frames are drawn from:

- ``exited``: households whose status is EXITED, in the country (and the project's villages,
  and exited on a case of the round, when given). A finding "found poor" is a wrongful exit.
- ``not_poor``: active households whose latest result under the given scheme (in the round,
  when given) is non-poor — the population the register says needs no help. A finding
  "found poor" there is an omission.

The frame is listed in ``external_id`` order — stable across databases, unlike row ids —
and drawn with ``random.Random(seed)``; the seed is stored, so anyone can redraw the sample.
"""

from __future__ import annotations

import math
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from random import Random

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from mekong.core.errors import Conflict, InvalidInput
from mekong.geo.models import Country
from mekong.projects.models import Project
from mekong.registry.exit_access import require_verifier
from mekong.registry.models import (
    Classification,
    ExitState,
    Household,
    HouseholdStatus,
    PovertyScheme,
    SampledHousehold,
    SampleFrame,
    SurveyRound,
    VerificationFinding,
    VerificationSample,
)

Z_95 = 1.959963984540054


def sample_frame(
    *,
    frame: str,
    country: Country,
    project: Project | None = None,
    survey_round: SurveyRound | None = None,
    scheme: PovertyScheme | None = None,
) -> QuerySet[Household]:
    """The households a sample is drawn from, in draw order (``external_id``)."""
    households = Household.objects.filter(village__country=country)
    if project is not None:
        households = households.filter(village__in=project.villages.all())
    if frame == SampleFrame.EXITED:
        households = households.filter(status=HouseholdStatus.EXITED)
        if survey_round is not None:
            households = households.filter(
                exit_cases__state=ExitState.EXITED, exit_cases__survey_round=survey_round
            )
    elif frame == SampleFrame.NOT_POOR:
        if scheme is None:
            raise InvalidInput(
                _("scheme: an omission sample needs the scheme whose non-poor result it checks."),
                field="scheme",
            )
        results = Classification.objects.filter(household=OuterRef("pk"), scheme=scheme)
        if survey_round is not None:
            results = results.filter(survey_round=survey_round)
        latest_poor = results.order_by("-survey_round__started_on", "-id").values("poor")[:1]
        households = households.filter(status=HouseholdStatus.ACTIVE).annotate(
            latest_poor=Subquery(latest_poor)
        )
        households = households.filter(latest_poor=False)
    else:
        raise InvalidInput(_("frame: unknown frame %(frame)r.") % {"frame": frame}, field="frame")
    return households.distinct().order_by("external_id")


def draw(units: list[tuple[int, str, int]], *, size: int, seed: int, stratify: bool) -> list[int]:
    """Ids of the drawn households, in draw order.

    ``units`` are (household id, external id, village id) in frame order. Without strata,
    ``Random(seed).sample`` over the frame. With strata (villages in ascending id order), each
    village gets ``size × N_v / N`` rounded by largest remainder (ties to the lower village
    id), and is drawn with the same generator in turn.
    """
    rng = Random(seed)
    size = min(size, len(units))
    if not stratify:
        return [units[i][0] for i in rng.sample(range(len(units)), size)]
    strata: dict[int, list[int]] = defaultdict(list)
    for household_id, _external_id, village_id in units:
        strata[village_id].append(household_id)
    total = len(units)
    quotas = {v: size * len(ids) // total for v, ids in strata.items()}
    remainders = sorted(
        strata, key=lambda v: (-(size * len(strata[v]) % total), v)
    )  # largest remainder first
    for village_id in remainders[: size - sum(quotas.values())]:
        quotas[village_id] += 1
    drawn: list[int] = []
    for village_id in sorted(strata):
        drawn.extend(rng.sample(strata[village_id], quotas[village_id]))
    return drawn


@transaction.atomic
def verification_sample_draw(
    *,
    user: object,
    frame: str,
    country: Country,
    size: int,
    on: date,
    seed: int | None = None,
    project: Project | None = None,
    survey_round: SurveyRound | None = None,
    scheme: PovertyScheme | None = None,
    stratify_by_village: bool = False,
    assessor: str = "",
) -> VerificationSample:
    """Draw and store a sample; with no seed given, a random one is chosen and stored."""
    by = require_verifier(user, country.id)
    if size < 1:
        raise InvalidInput(_("size: draw at least one household."), field="size")
    if project is not None and not project.countries.filter(id=country.id).exists():
        raise InvalidInput(
            _("project: the project does not work in that country."), field="project"
        )
    if survey_round is not None and survey_round.country_id != country.id:
        raise InvalidInput(
            _("survey_round: the round is of another country."), field="survey_round"
        )
    units = list(
        sample_frame(
            frame=frame, country=country, project=project, survey_round=survey_round, scheme=scheme
        ).values_list("id", "external_id", "village_id")
    )
    if not units:
        raise InvalidInput(_("The frame is empty: no household fits that scope."), field="frame")
    if seed is None:
        seed = secrets.randbits(31)
    sample = VerificationSample.objects.create(
        frame=frame,
        country=country,
        project=project,
        survey_round=survey_round,
        scheme=scheme,
        seed=seed,
        size=size,
        frame_size=len(units),
        stratify_by_village=stratify_by_village,
        assessor=assessor,
        drawn_on=on,
        drawn_by=by,
    )
    SampledHousehold.objects.bulk_create(
        SampledHousehold(sample=sample, household_id=household_id, draw_order=order)
        for order, household_id in enumerate(
            draw(units, size=size, seed=seed, stratify=stratify_by_village), start=1
        )
    )
    return sample


@transaction.atomic
def verification_finding_record(
    *,
    user: object,
    sample: VerificationSample,
    household: Household,
    on: date,
    found_poor: bool,
    satisfied: bool | None = None,
    notes: str = "",
) -> VerificationFinding:
    by = require_verifier(user, sample.country_id)
    if not sample.draws.filter(household=household).exists():
        raise InvalidInput(
            _("household: %(id)s was not drawn in this sample.") % {"id": household.external_id},
            field="household",
        )
    if sample.findings.filter(household=household).exists():
        raise Conflict(
            _("A finding for %(id)s is recorded in this sample already.")
            % {"id": household.external_id}
        )
    if on < sample.drawn_on:
        raise InvalidInput(_("on: the sample was drawn later than that."), field="on")
    finding = VerificationFinding(
        sample=sample,
        household=household,
        checked_on=on,
        found_poor=found_poor,
        satisfied=satisfied,
        notes=notes,
        recorded_by=by,
    )
    finding._history_user = by  # type: ignore[attr-defined]
    finding.save()
    return finding


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``total``, with the 95 % Wilson score interval (None when total is 0)."""

    count: int
    total: int
    rate: float | None
    low: float | None
    high: float | None


def wilson(count: int, total: int, *, z: float = Z_95) -> Proportion:
    """Proportion with its Wilson score interval.

    Notes
    -----
    p = k/n;  centre = (p + z²/2n) / (1 + z²/n);
    half-width = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212.

    Examples
    --------
    >>> p = wilson(1, 10)
    >>> round(p.rate, 3), round(p.low, 4), round(p.high, 4)
    (0.1, 0.0179, 0.4042)
    """
    if total == 0:
        return Proportion(count, total, None, None, None)
    p = count / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return Proportion(count, total, p, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class VerificationRates:
    frame: str
    sampled: int
    checked: int
    # Wrongful-exit rate for an exit sample, omission rate for a non-poor sample.
    error: Proportion
    satisfaction: Proportion


def verification_rates(*, sample: VerificationSample) -> VerificationRates:
    """Error and satisfaction rates of one sample over the households actually checked.

    error rate = households found poor / households with a finding;
    satisfaction = households satisfied / households that answered the question.
    Households drawn but not (yet) checked are left out of both and reported as
    ``sampled − checked``.
    """
    findings = list(sample.findings.values_list("found_poor", "satisfied"))
    answered = [s for _poor, s in findings if s is not None]
    return VerificationRates(
        frame=sample.frame,
        sampled=sample.draws.count(),
        checked=len(findings),
        error=wilson(sum(1 for poor, _s in findings if poor), len(findings)),
        satisfaction=wilson(sum(1 for s in answered if s), len(answered)),
    )
