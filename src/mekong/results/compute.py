"""Refresh computed and rolled-up indicator values, and the dashboards' precomputed series.

``refresh_framework`` evaluates, for every computed indicator of a framework and every
*unlocked* reporting period (a locked period is frozen: none of its values is read for
writing, changed or deleted), the indicator's computation (results.computations), then
rolls up the programme indicators, then recomputes the framework's analyses.

Register-based kinds (headcount, mpi, mean_income, household_share) use each household's
latest observation dated inside the period and mekong.measure for the estimate: weights are
the observations' survey weights (× household size for people); when an observation comes
from a sample round (``SurveyRound.is_sample``) the standard error and 95 % interval are
design-based with the village as primary sampling unit and the country as stratum. A census
has no sampling error, so census values keep ``se`` and the interval empty.

Cells written for a register-based indicator: the total (``disaggregation_key`` ``""``),
one cell per category of every required disaggregation taken one dimension at a time, and
— always, whether required or not — one cell per village and per country, which the
dashboards' map and country → village drill-down read. Cells of one dimension partition the
households (a blank category is ``"unknown"``), so counts add up to the total and shares
average to it when weighted by ``population``. Person-level cells (sex, age band and
disability of people, for indicators counted per person) cover the members observed in the
round; household-level indicators use the head's sex, age band and ethnicity and whether
any member has a disability. Delivery kinds (assisted and exited households) also get
village and country cells; asset kinds the total only.

Units: headcounts, shares and MPI ``H`` are percent; MPI ``A`` and ``M0`` are 0–1; mean
income is currency per person per year. A value that cannot be computed is stored with
``value`` NULL and ``unavailable_reason`` saying why.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from mekong.core.errors import InvalidInput
from mekong.measure import Design, MeasureError, alkire_foster, growth_incidence, inequality
from mekong.projects.models import Asset, ProgressUpdate, Project
from mekong.registry.models import AssistanceMeasure, ExitCase, ExitState, Household, SchemeKind
from mekong.results.access import require_can_edit_framework
from mekong.results.computations import (
    REGISTER_KINDS,
    AssetCount,
    AssetQuantity,
    AssistedHouseholds,
    Computation,
    Condition,
    ExitedHouseholds,
    Headcount,
    HouseholdShare,
    MeanIncome,
    Mpi,
    parse_computation,
)
from mekong.results.frames import RegisterFrames, framework_village_ids, load_register
from mekong.results.models import (
    VALUE_PLACES,
    Aggregation,
    Analysis,
    AnalysisKind,
    Dimension,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ReportingPeriod,
    ResultsFramework,
    ValueSource,
    ValueStatus,
    disaggregation_key,
)

log = logging.getLogger(__name__)

Z95 = 1.959963984540054
# Deciles: each point costs a weighted quantile and its kernel-density SE in both rounds
# (about a second per point at a million households), and nine points draw the curve.
GIC_POINTS = tuple(i / 10 for i in range(1, 10))
QUANTUM = Decimal(1).scaleb(-VALUE_PLACES)
Progress = Callable[[str, int, int], None]

# Household-level column of each dimension; people's own sex, age band and disability come
# from the person frame when an indicator counts people.
HOUSEHOLD_DIMENSION_COLUMN = {
    Dimension.SEX: "head_sex",
    Dimension.AGE_BAND: "head_age_band",
    Dimension.ETHNICITY: "head_ethnicity",
    Dimension.DISABILITY: "disability",
    Dimension.POVERTY_CATEGORY: "_category",
    Dimension.VILLAGE: "village",
    Dimension.COUNTRY: "country",
}
PERSON_DIMENSIONS = frozenset({Dimension.SEX, Dimension.AGE_BAND, Dimension.DISABILITY})
ALWAYS = (Dimension.VILLAGE, Dimension.COUNTRY)


class Unavailable(Exception):
    """A value that cannot be computed; the message (translated) says why."""


@dataclass
class Cell:
    cell: dict[str, str]
    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    population: float | None = None
    reason: str = ""


@dataclass
class RefreshReport:
    framework_id: int
    title: str
    indicators: int = 0
    periods: int = 0
    locked_periods: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    unavailable: int = 0
    analyses: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


# --- entry points -----------------------------------------------------------------------


def refresh_all(
    *, user: object | None = None, progress: Progress | None = None
) -> list[RefreshReport]:
    """Refresh every framework: projects first, so programme roll-ups read fresh values."""
    frameworks = sorted(
        ResultsFramework.objects.all(), key=lambda f: (f.project_id is None, f.title, f.id)
    )
    # A programme's villages are its projects' villages: read the register once for all.
    villages = {f.id: framework_village_ids(f) for f in frameworks if _needs_register(f)}
    register: RegisterFrames | None = None
    if villages:
        _step(progress, "load", 0, 1)
        register = load_register(
            sorted({v for ids in villages.values() for v in ids}),
            fields=_condition_fields(Indicator.objects.filter(kind=IndicatorKind.COMPUTED)),
        )
        _step(progress, "load", 1, 1)
    return [
        refresh_framework(
            f,
            user=user,
            progress=progress,
            frames=register.subset(villages[f.id]) if register and f.id in villages else None,
        )
        for f in frameworks
    ]


def refresh_framework(
    framework: ResultsFramework,
    *,
    user: object | None = None,
    progress: Progress | None = None,
    frames: RegisterFrames | None = None,
) -> RefreshReport:
    """Recompute the framework's computed and roll-up values in its unlocked periods and its
    analyses, and write them in one transaction. ``user`` None runs as the system;
    ``frames`` is the register already read for the framework's villages (refresh_all)."""
    if user is not None:
        require_can_edit_framework(user, framework)
    started = time.perf_counter()
    report = RefreshReport(framework_id=framework.id, title=framework.title)
    periods = list(framework.periods.order_by("starts_on", "code"))
    open_periods = [p for p in periods if p.locked_at is None]
    report.periods, report.locked_periods = len(open_periods), len(periods) - len(open_periods)
    indicators = list(
        framework.indicators.filter(kind__in=[IndicatorKind.COMPUTED, IndicatorKind.ROLLUP])
        .select_related("framework")
        .order_by("order", "code")
    )
    report.indicators = len(indicators)
    computations: dict[int, Computation | str] = {}
    for indicator in indicators:
        if indicator.kind == IndicatorKind.COMPUTED:
            try:
                computations[indicator.id] = parse_computation(indicator.computation or {})
            except InvalidInput as exc:
                computations[indicator.id] = _("The computation is not valid: %(error)s") % {
                    "error": exc.message
                }
    if frames is None and _needs_register(framework):
        _step(progress, "load", 0, 1)
        frames = load_register(
            framework_village_ids(framework),
            fields=_condition_fields(framework.indicators.filter(kind=IndicatorKind.COMPUTED)),
        )
        _step(progress, "load", 1, 1)
        log.info(
            "results refresh: framework %s loaded %s observation rows",
            framework.id,
            frames.households.height,
        )

    results: dict[tuple[int, int], list[Cell]] = {}
    computed = [i for i in indicators if i.kind == IndicatorKind.COMPUTED]
    for done, indicator in enumerate(computed):
        _step(progress, "compute", done, len(computed))
        comp = computations[indicator.id]
        for period in open_periods:
            if isinstance(comp, str):
                results[(indicator.id, period.id)] = [Cell({}, None, reason=comp)]
                continue
            results[(indicator.id, period.id)] = evaluate(
                indicator, comp, period, framework=framework, frames=frames
            )
    _step(progress, "compute", len(computed), len(computed))
    rollups = [i for i in indicators if i.kind == IndicatorKind.ROLLUP]
    for indicator in rollups:
        for period in open_periods:
            results[(indicator.id, period.id)] = roll_up(indicator, period)

    _step(progress, "analyses", 0, 1)
    analyses = compute_analyses(framework, frames) if frames is not None else {}
    _step(progress, "analyses", 1, 1)
    _step(progress, "write", 0, 1)
    with transaction.atomic():
        # A period locked while the values were computed (minutes at a million households)
        # is frozen from then on: hold the periods' rows (period_lock waits for them) and
        # write only those still open.
        still_open = set(
            ReportingPeriod.objects.select_for_update()
            .filter(id__in=[p.id for p in open_periods], locked_at__isnull=True)
            .values_list("id", flat=True)
        )
        if len(still_open) < len(open_periods):
            open_periods = [p for p in open_periods if p.id in still_open]
            results = {k: v for k, v in results.items() if k[1] in still_open}
            report.periods, report.locked_periods = (
                len(open_periods),
                len(periods) - len(open_periods),
            )
        _write_values(indicators, open_periods, results, report)
        report.analyses = _write_analyses(framework, analyses)
    _step(progress, "write", 1, 1)
    for (indicator_id, period_id), cells in results.items():
        total = next((c for c in cells if not c.cell), None)
        if total is not None and total.value is None:
            code = next(i.code for i in indicators if i.id == indicator_id)
            period_code = next(p.code for p in open_periods if p.id == period_id)
            report.problems.append(f"{code} {period_code}: {total.reason}")
    report.seconds = time.perf_counter() - started
    log.info(
        "results refresh: framework %s, %s values written, %s unchanged, %.1f s",
        framework.id,
        report.created + report.updated,
        report.unchanged,
        report.seconds,
    )
    return report


def _step(progress: Progress | None, phase: str, done: int, total: int) -> None:
    if progress is not None:
        progress(phase, done, total)


# --- evaluation -------------------------------------------------------------------------


def evaluate(
    indicator: Indicator,
    comp: Computation,
    period: ReportingPeriod,
    *,
    framework: ResultsFramework,
    frames: RegisterFrames | None,
) -> list[Cell]:
    """Every cell of one computed indicator in one period."""
    try:
        if isinstance(comp, AssetQuantity | AssetCount):
            return [_assets(comp, period, framework)]
        if isinstance(comp, AssistedHouseholds | ExitedHouseholds):
            return _deliveries(comp, period, framework)
        assert frames is not None
        return _register(indicator, comp, period, frames)
    except Unavailable as exc:
        return [Cell({}, None, reason=str(exc))]


def _latest_in_period(frames: RegisterFrames, period: ReportingPeriod) -> pl.DataFrame:
    key = (period.starts_on, period.ends_on)
    if key not in frames.cache:  # every indicator of the period starts from the same rows
        frames.cache[key] = _latest_rows(frames, period)
    return frames.cache[key]


def _latest_rows(frames: RegisterFrames, period: ReportingPeriod) -> pl.DataFrame:
    rows = frames.households.filter(
        pl.col("observed_on").is_between(period.starts_on, period.ends_on)
    )
    # Sorted by household and date on load: the last row is the latest observation.
    return rows.unique("household_id", keep="last", maintain_order=True)


def _dimensions(indicator: Indicator) -> list[str]:
    wanted = [d for d in (indicator.disaggregations or []) if d in Dimension.values]
    return list(dict.fromkeys([*wanted, *ALWAYS]))


def _register(
    indicator: Indicator, comp: Computation, period: ReportingPeriod, frames: RegisterFrames
) -> list[Cell]:
    rows = _latest_in_period(frames, period)
    if rows.height == 0:
        raise Unavailable(
            _("No household observation is dated inside the period %(start)s – %(end)s.")
            % {"start": period.starts_on, "end": period.ends_on}
        )
    dimensions = _dimensions(indicator)
    if Dimension.POVERTY_CATEGORY in dimensions:
        rows = _with_category(rows, comp, frames)
    if isinstance(comp, Headcount):
        rows = _classified(rows, comp.scheme, frames)
        y = pl.when(pl.col(f"{comp.scheme}:poor")).then(1.0).otherwise(0.0)
        return _share_cells(rows, y, 100.0, comp.per == "person", dimensions, frames)
    if isinstance(comp, HouseholdShare):
        met = pl.lit(True)
        for condition in comp.all:
            met = met & _condition(condition)
        # Three-valued: a household failing an answered condition does not meet them all;
        # one whose missing answers decide is unknown and left out of the denominator, not
        # counted as failing (a period whose survey did not ask about water would otherwise
        # report 0 % with safe water).
        rows = rows.with_columns(met.alias("_met")).filter(pl.col("_met").is_not_null())
        if rows.height == 0:
            raise Unavailable(
                _("No household observed in the period answered what the conditions test.")
            )
        y = pl.when(pl.col("_met")).then(1.0).otherwise(0.0)
        return _share_cells(rows, y, 100.0, comp.per == "person", dimensions, frames)
    if isinstance(comp, MeanIncome):
        return _mean_income(indicator, rows, dimensions, frames)
    if isinstance(comp, Mpi):
        return _mpi(comp, rows, dimensions, frames)
    raise Unavailable(_("Unknown kind of computation."))


def _classified(rows: pl.DataFrame, scheme: str, frames: RegisterFrames) -> pl.DataFrame:
    if scheme not in frames.schemes:
        raise Unavailable(_("No poverty scheme has the code %(code)s.") % {"code": scheme})
    column = f"{scheme}:poor"
    if column not in rows.columns:
        raise Unavailable(
            _("No household in the framework's villages is classified under %(code)s.")
            % {"code": scheme}
        )
    rows = rows.filter(pl.col(column).is_not_null())
    if rows.height == 0:
        raise Unavailable(
            _("No household observed in the period is classified under %(code)s.")
            % {"code": scheme}
        )
    return rows


def _condition(condition: Condition) -> pl.Expr:
    column, value = pl.col(condition.field), condition.value
    if condition.op == "in":
        return column.is_in(list(value))  # type: ignore[arg-type]
    if condition.op == "not_in":
        return ~column.is_in(list(value))  # type: ignore[arg-type]
    operators: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
        "eq": lambda c, v: c == v,
        "ne": lambda c, v: c != v,
        "lt": lambda c, v: c < v,
        "le": lambda c, v: c <= v,
        "gt": lambda c, v: c > v,
        "ge": lambda c, v: c >= v,
    }
    return operators[condition.op](column, value)


def _category_scheme(comp: Computation, frames: RegisterFrames) -> str | None:
    """The poverty category is the household's level under the indicator's own scheme, or
    else under the framework's scoring (IDPoor-style), China or national scheme."""
    own = getattr(comp, "scheme", None)
    if own in frames.schemes:
        return str(own)
    for kind in (SchemeKind.SCORING, SchemeKind.CHINA, SchemeKind.MONETARY):
        for code, info in sorted(frames.schemes.items()):
            if info.kind == kind and f"{code}:level" in frames.households.columns:
                return code
    return None


def _with_category(rows: pl.DataFrame, comp: Computation, frames: RegisterFrames) -> pl.DataFrame:
    scheme = _category_scheme(comp, frames)
    if scheme is None or f"{scheme}:level" not in rows.columns:
        return rows.with_columns(pl.lit("unknown").alias("_category"))
    return rows.with_columns(pl.col(f"{scheme}:level").fill_null("unknown").alias("_category"))


# Villages are the primary sampling units and countries the strata (issue #6). A village's
# own estimate is a domain of a single PSU, whose between-PSU variance does not exist; its
# sampling error is the one within the village: households as units, villages as strata.
DESIGN = Design(weight="weight", strata="country", psu="village", singleton="center")
VILLAGE_DESIGN = Design(weight="weight", strata="village", singleton="center")


def _design(rows: pl.DataFrame, dimension: str | None = None) -> Design | None:
    """The survey design when the rows come from a sample round; None for a census."""
    if not (rows.height and bool(rows["is_sample"].any())):
        return None
    return VILLAGE_DESIGN if dimension == Dimension.VILLAGE else DESIGN


def _clean(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else value


def _cells_from(
    out: pl.DataFrame, dimension: str | None, scale: float, measure_name: str = "mean"
) -> list[Cell]:
    cells = []
    for row in out.filter(pl.col("measure") == measure_name).iter_rows(named=True):
        estimate = _clean(row["estimate"])
        se, low, high = (_clean(row[c]) for c in ("se", "ci_low", "ci_high"))
        if low is None or high is None:
            se = None  # no degrees of freedom left: the SE is not estimable either
        cell = {dimension: _category_text(row["_cell"])} if dimension else {}
        cells.append(
            Cell(
                cell,
                None if estimate is None else estimate * scale,
                se=None if se is None else se * scale,
                ci_low=None if low is None else low * scale,
                ci_high=None if high is None else high * scale,
                n=int(row["n"]),
                population=_clean(row["population"]),
                reason="" if estimate is not None else _("The estimate is undefined here."),
            )
        )
    return cells


def _category_text(value: Any) -> str:
    if value is None or value == "":
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _run_cells(
    compute: Callable[[pl.DataFrame, str | None, Design | None], pl.DataFrame],
    rows: pl.DataFrame,
    per_person: bool,
    dimensions: Sequence[str],
    frames: RegisterFrames,
    scale: float,
    measure_name: str = "mean",
) -> list[Cell]:
    """The total and each dimension's cells of one estimate, household- or person-level."""
    cells = _cells_from(
        compute(rows.with_columns(pl.lit(0).alias("_cell")), None, _design(rows)).with_columns(
            pl.lit(None).alias("_cell")
        ),
        None,
        scale,
        measure_name,
    )
    for dimension in dimensions:
        if per_person and dimension in PERSON_DIMENSIONS:
            people = _people(rows, dimension)
            if people.height == 0:
                continue
            out = compute(people, "_cell", _design(rows, dimension))
            # n: people observed in the cell, not household × category rows.
            counts = people.group_by("_cell").agg(pl.col("size").sum().alias("_people"))
            out = out.join(counts, on="_cell").with_columns(pl.col("_people").alias("n"))
        else:
            column = HOUSEHOLD_DIMENSION_COLUMN[Dimension(dimension)]
            cells_frame = rows.with_columns(pl.col(column).alias("_cell"))
            out = compute(cells_frame, "_cell", _design(rows, dimension))
        cells.extend(_cells_from(out, dimension, scale, measure_name))
    return cells


def _people(rows: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """One row per household and category of ``dimension`` among the people observed in
    its round, ``size`` the number of them. People of one household share its values and
    weight, so weighting this row by weight × size gives the same estimate and the same
    linearised variance as one row per person, with a fifth of the rows."""
    parts = []
    prefix = f"people:{dimension}="
    for column in (c for c in rows.columns if c.startswith(prefix)):
        parts.append(
            rows.filter(pl.col(column) > 0).with_columns(
                pl.col(column).alias("size"), pl.lit(column.removeprefix(prefix)).alias("_cell")
            )
        )
    return pl.concat(parts) if parts else rows.clear().with_columns(pl.lit("").alias("_cell"))


def _share_cells(
    rows: pl.DataFrame,
    y: pl.Expr,
    scale: float,
    per_person: bool,
    dimensions: Sequence[str],
    frames: RegisterFrames,
) -> list[Cell]:
    rows = rows.with_columns(y.alias("_y"))

    def compute(frame: pl.DataFrame, by: str | None, design: Design | None) -> pl.DataFrame:
        return inequality(
            frame,
            welfare="_y",
            measures=["mean"],
            weight=None if design else "weight",
            size="size" if per_person else None,
            by=by,
            design=design,
        )

    return _run_cells(compute, rows, per_person, dimensions, frames, scale)


def _mean_income(
    indicator: Indicator, rows: pl.DataFrame, dimensions: Sequence[str], frames: RegisterFrames
) -> list[Cell]:
    currencies = sorted(rows["currency"].unique().to_list())
    other = _("The observations are in %(found)s, the indicator in %(currency)s.")
    # mekong.measure wants welfare >= 0; a mean (and its SE) moves with a shift, so shift
    # negative net incomes up and take the shift back off.
    lowest = rows["per_capita_income"].min()
    shift = -float(lowest) if isinstance(lowest, int | float) and lowest < 0 else 0.0
    rows = rows.with_columns((pl.col("per_capita_income") + shift).alias("_y"))

    def compute(frame: pl.DataFrame, by: str | None, design: Design | None) -> pl.DataFrame:
        return inequality(
            frame,
            welfare="_y",
            measures=["mean"],
            weight=None if design else "weight",
            size="size",
            by=by,
            design=design,
        )

    cells = _run_cells(compute, rows, True, dimensions, frames, 1.0)
    mixed = _("The villages report in more than one currency (%(currencies)s).")
    by_cell = _currencies_by_cell(rows, dimensions, frames)
    for c in cells:
        if c.value is not None:
            c.value -= shift
            c.ci_low = None if c.ci_low is None else c.ci_low - shift
            c.ci_high = None if c.ci_high is None else c.ci_high - shift
        found = by_cell.get(disaggregation_key(c.cell), currencies)
        # A cell in the indicator's currency keeps its value though other countries of a
        # programme report in theirs (as a single-currency country cell does without one).
        if indicator.currency and found != [indicator.currency]:
            c.value = c.se = c.ci_low = c.ci_high = None
            c.reason = other % {"found": ", ".join(found), "currency": indicator.currency}
        elif len(found) > 1:
            c.value = c.se = c.ci_low = c.ci_high = None
            c.reason = mixed % {"currencies": ", ".join(found)}
    return cells


def _currencies_by_cell(
    rows: pl.DataFrame, dimensions: Sequence[str], frames: RegisterFrames
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"": sorted(rows["currency"].unique().to_list())}
    for dimension in dimensions:
        if dimension in PERSON_DIMENSIONS:
            continue  # people share their household's currency: the total decides
        column = HOUSEHOLD_DIMENSION_COLUMN[Dimension(dimension)]
        grouped = rows.group_by(column).agg(pl.col("currency").unique().sort())
        for value, currencies in grouped.iter_rows():
            key = disaggregation_key({dimension: _category_text(value)})
            found[key] = list(currencies)
    return found


def _mpi(
    comp: Mpi, rows: pl.DataFrame, dimensions: Sequence[str], frames: RegisterFrames
) -> list[Cell]:
    info = frames.schemes.get(comp.scheme)
    if info is None:
        raise Unavailable(_("No poverty scheme has the code %(code)s.") % {"code": comp.scheme})
    if info.kind != SchemeKind.MPI:
        raise Unavailable(
            _("The scheme %(code)s is not a multidimensional (MPI) scheme.") % {"code": comp.scheme}
        )
    rows = _with_mpi_score(_classified(rows, comp.scheme, frames), comp.scheme, frames)
    # H, M0 and A as means (Alkire & Foster 2011): H = mean of p_i, M0 = mean of p_i c_i,
    # A = mean of c_i over the poor (a domain, so its SE is the ratio's). The same numbers as
    # mekong.measure.alkire_foster, whose subgroup decomposition costs seconds per dimension
    # with 500 villages and which the cells do not need.
    variable = {"H": "_mpi_poor", "M0": "_mpi_m0", "A": "_mpi_score"}[comp.measure]

    def compute(frame: pl.DataFrame, by: str | None, design: Design | None) -> pl.DataFrame:
        keys = ["_mpi_domain", *([by] if by else [])]
        if comp.measure != "A":
            frame = frame.with_columns(pl.lit(True).alias("_mpi_domain"))
        else:
            frame = frame.with_columns(pl.col("_mpi_poor").cast(pl.Boolean).alias("_mpi_domain"))
        out = inequality(
            frame,
            welfare=variable,
            measures=["mean"],
            weight=None if design else "weight",
            size="size",
            by=keys,
            design=design,
        )
        return out.filter(pl.col("_mpi_domain")).drop("_mpi_domain")

    scale = 100.0 if comp.measure == "H" else 1.0
    try:
        return _run_cells(compute, rows, True, dimensions, frames, scale)
    except MeasureError as exc:
        raise Unavailable(str(exc)) from exc


def _with_mpi_score(rows: pl.DataFrame, code: str, frames: RegisterFrames) -> pl.DataFrame:
    """Deprivation score c_i and poverty p_i = [c_i ≥ k], exactly: weights are fractions, so
    scores are compared in integer units of their common denominator (a score of exactly k
    is poor, as in registry.schemes)."""
    info = frames.schemes[code]
    weights = {name: Fraction(w) for name, w in info.mpi_weights.items()}
    total = sum(weights.values(), Fraction(0))
    unit = math.lcm(*(w.denominator for w in weights.values()), total.denominator)
    k = Fraction(info.mpi_k) * total  # k is a share of the total weight
    score = pl.sum_horizontal(
        pl.col(f"{code}:d:{name}").cast(pl.Int64) * int(w * unit) for name, w in weights.items()
    )
    poor = score * k.denominator >= k.numerator * unit
    return rows.with_columns(
        poor.cast(pl.Float64).alias("_mpi_poor"),
        (score / float(unit * total)).alias("_mpi_score"),
    ).with_columns((pl.col("_mpi_poor") * pl.col("_mpi_score")).alias("_mpi_m0"))


def _assets(
    comp: AssetQuantity | AssetCount, period: ReportingPeriod, framework: ResultsFramework
) -> Cell:
    assets = Asset.objects.filter(
        activity__component__project__in=_projects(framework), asset_type=comp.asset_type
    )
    if isinstance(comp, AssetQuantity):
        if comp.surface:
            assets = assets.filter(surface=comp.surface)
        other_units = sorted(set(assets.exclude(unit=comp.unit).values_list("unit", flat=True)))
        if other_units:
            raise Unavailable(
                _("Assets of type %(type)s are recorded in %(units)s, not %(unit)s.")
                % {"type": comp.asset_type, "units": ", ".join(other_units), "unit": comp.unit}
            )
    if comp.completed_only:
        assets = assets.filter(completed_on__lte=period.ends_on)
    rows = list(assets.values_list("id", "actual_quantity", "completed_on"))
    if isinstance(comp, AssetCount):
        return Cell({}, float(len(rows)), n=len(rows))
    latest: dict[int, Decimal] = {}
    for asset_id, quantity in (
        ProgressUpdate.objects.filter(
            asset_id__in=[r[0] for r in rows], reported_on__lte=period.ends_on
        )
        .order_by("asset_id", "reported_on", "id")
        .values_list("asset_id", "actual_quantity")
    ):
        latest[asset_id] = quantity
    total = Decimal(0)
    for asset_id, actual, completed_on in rows:
        if asset_id in latest:
            total += latest[asset_id]
        elif completed_on is not None and completed_on <= period.ends_on:
            total += actual  # completed without progress updates: its recorded quantity
    return Cell({}, float(total), n=len(rows))


def _projects(framework: ResultsFramework) -> Iterable[Project]:
    if framework.project_id is not None:
        return Project.objects.filter(id=framework.project_id)
    return Project.objects.filter(programme=framework.programme)


def _deliveries(
    comp: AssistedHouseholds | ExitedHouseholds,
    period: ReportingPeriod,
    framework: ResultsFramework,
) -> list[Cell]:
    villages = framework_village_ids(framework)
    if isinstance(comp, AssistedHouseholds):
        measures = AssistanceMeasure.objects.filter(
            household__village_id__in=villages,
            value_date__range=(period.starts_on, period.ends_on),
        )
        if comp.category:
            measures = measures.filter(category=comp.category)
        households = Household.objects.filter(id__in=measures.values("household_id"))
    else:
        cases = ExitCase.objects.filter(
            household__village_id__in=villages,
            state=ExitState.EXITED,
            decided_on__range=(period.starts_on, period.ends_on),
        )
        households = Household.objects.filter(id__in=cases.values("household_id"))
    by_village = list(
        households.values("village__code", "village__country__iso3")
        .annotate(count=Count("id"))
        .order_by("village__code")
    )
    total = sum(r["count"] for r in by_village)
    cells = [Cell({}, float(total), n=total)]
    countries: dict[str, int] = defaultdict(int)
    for r in by_village:
        cells.append(Cell({"village": r["village__code"]}, float(r["count"]), n=r["count"]))
        countries[r["village__country__iso3"]] += r["count"]
    cells.extend(Cell({"country": k}, float(v), n=v) for k, v in sorted(countries.items()))
    return cells


# --- roll-ups ---------------------------------------------------------------------------


def _matching_period(period: ReportingPeriod, framework_id: int) -> ReportingPeriod | None:
    candidates = ReportingPeriod.objects.filter(framework_id=framework_id)
    return (
        candidates.filter(code=period.code).first()
        or candidates.filter(starts_on=period.starts_on, ends_on=period.ends_on).first()
    )


def roll_up(indicator: Indicator, period: ReportingPeriod) -> list[Cell]:
    """Combine the contributing indicators' values of the matching period, cell by cell:
    SUM adds values; WEIGHTED_MEAN averages them weighted by ``population``. Reported values
    count once approved. A missing contributor makes the total unavailable and is named."""
    contributors = list(indicator.contributions.select_related("framework").order_by("code"))
    if not contributors:
        return [Cell({}, None, reason=_("No indicator contributes to this roll-up."))]
    usable = Q(status__in=[ValueStatus.APPROVED, ValueStatus.COMPUTED])
    per_contributor: list[dict[str, IndicatorValue]] = []
    missing: list[str] = []
    for contributor in contributors:
        match = _matching_period(period, contributor.framework_id)
        values = (
            {
                v.disaggregation_key: v
                for v in IndicatorValue.objects.filter(
                    usable, indicator=contributor, period=match, value__isnull=False
                )
            }
            if match is not None
            else {}
        )
        total = values.get("")
        if total is None or (
            indicator.aggregation == Aggregation.WEIGHTED_MEAN and not total.population
        ):
            missing.append(f"{contributor.code} ({contributor.framework.owner_code})")
        per_contributor.append(values)
    if missing:
        return [
            Cell(
                {},
                None,
                reason=_("No usable value yet from: %(missing)s.")
                % {"missing": ", ".join(missing)},
            )
        ]
    keys: dict[str, dict[str, str]] = {}
    for values in per_contributor:
        for key, value in values.items():
            keys.setdefault(key, value.disaggregation or {})
    cells = []
    for key in sorted(keys):
        cell = keys[key]
        found = [values[key] for values in per_contributor if key in values]
        # Villages and countries split between contributors; any other breakdown counts
        # only when every contributor gives it (else it would be a partial sum).
        shared = not cell or bool(set(cell) & {Dimension.VILLAGE, Dimension.COUNTRY})
        if not shared and len(found) < len(per_contributor):
            continue
        cells.append(_combine(indicator.aggregation, cell, found))
    return cells


def _combine(aggregation: str, cell: dict[str, str], found: list[IndicatorValue]) -> Cell:
    values = [float(v.value) for v in found if v.value is not None]
    n = sum(v.n or 0 for v in found) or None
    populations = [v.population for v in found]
    population = sum(p for p in populations if p) or None
    ses = [v.se for v in found]
    if aggregation == Aggregation.WEIGHTED_MEAN:
        if not population or any(not p for p in populations):
            return Cell(cell, None, reason=_("A contributor has no population to weight by."))
        value = sum(float(v.value or 0) * float(v.population or 0) for v in found) / population
        se = (
            math.sqrt(sum(((v.population or 0) / population * (v.se or 0)) ** 2 for v in found))
            if all(s is not None for s in ses)
            else None
        )
    else:
        value = sum(values)
        se = math.sqrt(sum((s or 0) ** 2 for s in ses)) if all(s is not None for s in ses) else None
    return Cell(
        cell,
        value,
        se=se,
        ci_low=None if se is None else value - Z95 * se,
        ci_high=None if se is None else value + Z95 * se,
        n=n,
        population=population,
    )


# --- writing ----------------------------------------------------------------------------


def _decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(round(value, VALUE_PLACES))).quantize(QUANTUM)


def _stable(value: float | None) -> float | None:
    """Floats to 9 decimals and 12 significant digits: parallel sums differ in the last bits
    from run to run, and a refresh of unchanged data must write nothing."""
    return None if value is None else float(f"{round(value, 9):.12g}")


def _same(old: Any, new: Any) -> bool:
    """Whether a stored field equals its recomputed value up to the last bits of a parallel
    float sum (which can flip the last stored digit from one run to the next)."""
    if old is None or new is None or (isinstance(old, str | int) and not isinstance(old, bool)):
        return bool(old == new)
    return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=2e-6)


def _write_values(
    indicators: Sequence[Indicator],
    periods: Sequence[ReportingPeriod],
    results: dict[tuple[int, int], list[Cell]],
    report: RefreshReport,
) -> None:
    if not indicators or not periods:
        return
    existing: dict[tuple[int, int, str], IndicatorValue] = {
        (v.indicator_id, v.period_id, v.disaggregation_key): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator__in=indicators, period__in=periods
        )
    }
    now = timezone.now()
    kind_of = {i.id: i.kind for i in indicators}
    to_create: list[IndicatorValue] = []
    to_update: list[IndicatorValue] = []
    seen: set[tuple[int, int, str]] = set()
    fields = ("value", "unavailable_reason", "se", "ci_low", "ci_high", "n", "population")
    for (indicator_id, period_id), cells in results.items():
        source = (
            ValueSource.ROLLUP
            if kind_of[indicator_id] == IndicatorKind.ROLLUP
            else ValueSource.COMPUTED
        )
        for cell in cells:
            key = disaggregation_key(cell.cell)
            seen.add((indicator_id, period_id, key))
            new = {
                "value": _decimal(cell.value),
                "unavailable_reason": cell.reason if cell.value is None else "",
                "se": _stable(cell.se),
                "ci_low": _stable(cell.ci_low),
                "ci_high": _stable(cell.ci_high),
                "n": cell.n,
                "population": _stable(cell.population),
            }
            if cell.value is None:
                report.unavailable += 1
            row = existing.get((indicator_id, period_id, key))
            if row is None:
                to_create.append(
                    IndicatorValue(
                        indicator_id=indicator_id,
                        period_id=period_id,
                        disaggregation=cell.cell,
                        disaggregation_key=key,
                        source=source,
                        status=ValueStatus.COMPUTED,
                        computed_at=now,
                        **new,
                    )
                )
            elif (
                any(not _same(getattr(row, f), new[f]) for f in fields)
                or row.source != source
                or row.status != ValueStatus.COMPUTED
            ):
                for name, value in new.items():
                    setattr(row, name, value)
                row.source, row.status, row.computed_at = source, ValueStatus.COMPUTED, now
                to_update.append(row)
            else:
                report.unchanged += 1
    # Computed cells that no longer exist (a village left the project) go; reported values
    # of a computed indicator are never touched.
    stale = [
        v.id
        for k, v in existing.items()
        if k not in seen
        and v.source in (ValueSource.COMPUTED, ValueSource.ROLLUP)
        and (k[0], k[1]) in results
    ]
    if to_create:
        # New computed cells get no "+" history row (half the write time of a first refresh,
        # thousands of rows per framework); every later change and removal keeps one.
        IndicatorValue.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        bulk_update_with_history(
            to_update,
            IndicatorValue,
            [*fields, "source", "status", "computed_at"],
            batch_size=2000,
        )
    if stale:
        IndicatorValue.objects.filter(id__in=stale).delete()
    report.created, report.updated, report.deleted = len(to_create), len(to_update), len(stale)


def _write_analyses(
    framework: ResultsFramework, analyses: dict[tuple[str, str], dict[str, Any]]
) -> int:
    kept = []
    for (kind, key), payload in analyses.items():
        row, _created = Analysis.objects.update_or_create(
            framework=framework, kind=kind, key=key, defaults={"payload": payload}
        )
        kept.append(row.id)
    Analysis.objects.filter(framework=framework).exclude(id__in=kept).delete()
    return len(kept)


# --- analyses ---------------------------------------------------------------------------


def _condition_fields(indicators: Any) -> set[str]:
    """The observation fields the ``household_share`` conditions test (all a refresh reads)."""
    fields: set[str] = set()
    for config in indicators.values_list("computation", flat=True):
        if isinstance(config, dict) and config.get("kind") == "household_share":
            fields.update(
                str(c.get("field")) for c in config.get("all") or [] if isinstance(c, dict)
            )
    return fields


def _needs_register(framework: ResultsFramework) -> bool:
    """Whether the framework has register-based indicators or analyses to compute."""
    if _analysis_schemes(framework):
        return True
    for config in framework.indicators.filter(kind=IndicatorKind.COMPUTED).values_list(
        "computation", flat=True
    ):
        if isinstance(config, dict) and config.get("kind") in REGISTER_KINDS:
            return True
    return False


def _analysis_schemes(framework: ResultsFramework) -> dict[str, str]:
    """Scheme code → ``per`` of the headcount and MPI indicators of the framework and of the
    project indicators rolling up into it."""
    found: dict[str, str] = {}
    indicators = Indicator.objects.filter(
        Q(framework=framework) | Q(contributes_to__framework=framework),
        kind=IndicatorKind.COMPUTED,
    )
    for config in indicators.values_list("computation", flat=True):
        try:
            comp = parse_computation(config or {})
        except InvalidInput:
            continue
        if isinstance(comp, Headcount):
            if found.get(comp.scheme) != "person":
                found[comp.scheme] = comp.per
        elif isinstance(comp, Mpi):
            found.setdefault(comp.scheme, "person")
    return found


def compute_analyses(
    framework: ResultsFramework, frames: RegisterFrames
) -> dict[tuple[str, str], dict[str, Any]]:
    """The dashboards' series, aggregates only (see the payload shapes below).

    ``headcount_by_village`` (key: scheme code)
        ``{"scheme", "rounds": [{"code", "label", "year"}], "villages": [{"code", "name",
        "country", "lat", "lon", "values": [{"round", "estimate", "se", "ci_low", "ci_high",
        "n"}]}]}`` — the headcount in percent (as IndicatorValue) of each village in each
        round, for every scheme a headcount indicator uses.
    ``mpi_composition`` (key: scheme code)
        ``{"scheme", "round", "indicators": [{"name", "weight", "censored_headcount",
        "contribution"}], "H", "A", "M0"}`` for each MPI scheme in its latest round:
        ``H``, censored headcounts and contributions in percent, ``A`` and ``M0`` 0–1.
    ``growth_incidence`` (key ``""``)
        ``{"from_round", "to_round", "currency", "points": [{"p", "growth", "ci_low",
        "ci_high"}], "mean_growth"}``: growth of per-capita income at each decile
        ``p`` (0.1 … 0.9) between the first and the last round, in percent. Left out when
        the rounds report in more than one currency or fewer than two rounds exist.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    schemes = _analysis_schemes(framework)
    households = frames.households
    if households.height == 0:
        return out
    for code, per in sorted(schemes.items()):
        info = frames.schemes.get(code)
        if info is None or f"{code}:poor" not in households.columns:
            continue
        out[(AnalysisKind.HEADCOUNT_BY_VILLAGE, code)] = _headcount_by_village(
            frames, code, per == "person"
        )
    for code, info in sorted(frames.schemes.items()):
        if info.kind == SchemeKind.MPI and f"{code}:poor" in households.columns:
            payload = _mpi_composition(frames, code)
            if payload is not None:
                out[(AnalysisKind.MPI_COMPOSITION, code)] = payload
    gic = _growth_incidence(frames)
    if gic is not None:
        out[(AnalysisKind.GROWTH_INCIDENCE, "")] = gic
    return out


def _round_list(frames: RegisterFrames, codes: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(codes)
    return [
        {"code": r["round"], "label": r["round"], "year": r["round_year"]}
        for r in frames.rounds.iter_rows(named=True)
        if r["round"] in wanted
    ]


def _headcount_by_village(frames: RegisterFrames, code: str, per_person: bool) -> dict[str, Any]:
    rows = frames.households.filter(pl.col(f"{code}:poor").is_not_null()).with_columns(
        pl.when(pl.col(f"{code}:poor")).then(1.0).otherwise(0.0).alias("_y")
    )
    design = None
    if bool(rows["is_sample"].any()):
        # Each round is its own sample and each village estimate a whole stratum (see
        # VILLAGE_DESIGN): households are the units, strata village × round.
        design = Design(weight="weight", strata=("village", "round"), singleton="center")
    estimates = inequality(
        rows,
        welfare="_y",
        measures=["mean"],
        weight=None if design else "weight",
        size="size" if per_person else None,
        by=["village", "round"],
        design=design,
    )
    by_village: dict[str, list[dict[str, Any]]] = defaultdict(list)
    order = {r: i for i, r in enumerate(frames.rounds["round"].to_list())}
    for r in sorted(estimates.iter_rows(named=True), key=lambda r: order.get(r["round"], 0)):
        by_village[r["village"]].append(
            {
                "round": r["round"],
                "estimate": _percent(r["estimate"]),
                "se": _percent(r["se"]),
                "ci_low": _percent(r["ci_low"]),
                "ci_high": _percent(r["ci_high"]),
                "n": int(r["n"]),
            }
        )
    villages = []
    for v in frames.villages.sort("village").iter_rows(named=True):
        if v["village"] in by_village:
            villages.append(
                {
                    "code": v["village"],
                    "name": v["village_name"],
                    "country": v["country"],
                    "lat": v["lat"],
                    "lon": v["lon"],
                    "values": by_village[v["village"]],
                }
            )
    return {
        "scheme": code,
        "rounds": _round_list(frames, rows["round"].unique().to_list()),
        "villages": villages,
    }


def _percent(x: Any) -> float | None:
    value = _clean(x)
    return None if value is None else round(value * 100, 6)


def _mpi_composition(frames: RegisterFrames, code: str) -> dict[str, Any] | None:
    info = frames.schemes[code]
    rows = frames.households.filter(pl.col(f"{code}:poor").is_not_null())
    latest_round = next(
        (r for r in reversed(frames.rounds["round"].to_list()) if r in set(rows["round"])), None
    )
    if latest_round is None:
        return None
    rows = rows.filter(pl.col("round") == latest_round)
    indicators = {f"{code}:d:{name}": w for name, w in info.mpi_weights.items()}
    try:
        result = alkire_foster(
            rows, indicators=indicators, k=info.mpi_k, weight="weight", size="size"
        )
    except MeasureError:
        return None
    estimate = dict(zip(result["measure"].to_list(), result["estimate"].to_list(), strict=True))
    return {
        "scheme": code,
        "round": latest_round,
        "indicators": [
            {
                "name": name,
                "weight": weight,
                "censored_headcount": _percent(estimate.get(f"censored_{code}:d:{name}")),
                "contribution": _percent(estimate.get(f"contribution_{code}:d:{name}")),
            }
            for name, weight in info.mpi_weights.items()
        ],
        "H": _percent(estimate.get("H")),
        "A": _clean(estimate.get("A")),
        "M0": _clean(estimate.get("M0")),
    }


def _collapsed(rows: pl.DataFrame) -> pl.DataFrame:
    return (
        rows.group_by(pl.col("per_capita_income").round(0))
        .agg((pl.col("weight") * pl.col("size")).sum().alias("weight"))
        .with_columns(pl.lit(1).alias("size"))
    )


def _growth_incidence(frames: RegisterFrames) -> dict[str, Any] | None:
    rounds = frames.rounds["round"].to_list()
    if len(rounds) < 2:
        return None
    first, last = rounds[0], rounds[-1]
    rows = frames.households.filter(pl.col("round").is_in([first, last]))
    currencies = sorted(rows["currency"].unique().to_list())
    if len(currencies) != 1:
        return None
    # Quantiles of negative incomes are not defined in mekong.measure: they are left out.
    rows = rows.filter(pl.col("per_capita_income") >= 0)
    before = rows.filter(pl.col("round") == first)
    after = rows.filter(pl.col("round") == last)
    if before.height < 2 or after.height < 2:
        return None
    designs = [_design(part) for part in (before, after)]
    if designs == [None, None]:
        # A census has no sampling error, so only the weighted distribution matters: rows
        # with the same income (to the whole currency unit) merge into one with their
        # summed person weights, which leaves every weighted quantile and the mean as they
        # are and turns a million rows into a few thousand (quantiles cost seconds each).
        before, after = (_collapsed(part) for part in (before, after))
    try:
        out = growth_incidence(
            before,
            after,
            welfare="per_capita_income",
            points=GIC_POINTS,
            weight="weight",
            size="size",
            design_before=designs[0],
            design_after=designs[1],
        )
    except MeasureError:
        return None
    points = []
    mean_growth = None
    for r in out.iter_rows(named=True):
        if r["measure"] == "gic_mean":
            mean_growth = _percent(r["estimate"])
            continue
        points.append(
            {
                "p": float(r["measure"].removeprefix("gic_")),
                "growth": _percent(r["estimate"]),
                "ci_low": _percent(r["ci_low"]),
                "ci_high": _percent(r["ci_high"]),
            }
        )
    return {
        "from_round": first,
        "to_round": last,
        "currency": currencies[0],
        "points": points,
        "mean_growth": mean_growth,
    }


__all__ = [
    "RefreshReport",
    "compute_analyses",
    "evaluate",
    "refresh_all",
    "refresh_framework",
    "roll_up",
]
