"""Collect a progress report for one results framework and one period, in one language.

The report holds aggregates only: indicator values (approved reported values and computed
or rolled-up values, through ``selectors.reportable_values``), targets, narratives the office
wrote, and charts. Nothing about a single household reaches it.

Percent of target and "on track" (see ``progress``):

- with a baseline, progress is the share of the planned change achieved,
  ``(actual − baseline) / (target − baseline) × 100``;
- without one, ``actual / target × 100`` when higher is better and ``target / actual × 100``
  when lower is better;
- on track: at or above the target (higher is better), at or below it (lower is better),
  within ``MAINTAIN_TOLERANCE`` of it (keep at target).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput
from mekong.geo.models import Country, Village
from mekong.reports import charts
from mekong.reports.selectors import reportable_values
from mekong.results.models import (
    LEVEL_ORDER,
    Dimension,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Level,
    Narrative,
    NarrativeSection,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Target,
    Unit,
    category_text,
)

ReportLanguage = Literal["en", "zh-hans", "my"]
REPORT_LANGUAGES: tuple[str, ...] = ("en", "zh-hans", "my")
Track = Literal["on", "off", "unknown"]
MAINTAIN_TOLERANCE = Decimal("0.05")
MONEY_UNITS = {Unit.MONEY, Unit.MONEY_PER_PERSON_YEAR}


def check_language(language: str) -> ReportLanguage:
    if language not in REPORT_LANGUAGES:
        raise InvalidInput(
            _("Reports are written in %(choices)s, not “%(language)s”.")
            % {"choices": ", ".join(REPORT_LANGUAGES), "language": language},
            field="language",
        )
    return language  # type: ignore[return-value]


def format_number(value: Decimal | float | None, decimals: int) -> str:
    if value is None:
        return "–"
    return number_format(round(Decimal(str(value)), decimals), decimals, force_grouping=True)


def progress(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    baseline: Decimal | None,
    direction: str,
) -> tuple[Decimal | None, Track]:
    """Percent of target achieved and whether the indicator is on track (module docstring)."""
    if actual is None or target is None:
        return None, "unknown"
    percent: Decimal | None = None
    if baseline is not None and target != baseline:
        percent = (actual - baseline) / (target - baseline) * 100
    elif direction == Direction.DECREASE:
        percent = target / actual * 100 if actual != 0 else None
    elif target != 0:
        percent = actual / target * 100
    if direction == Direction.DECREASE:
        on = actual <= target
    elif direction == Direction.MAINTAIN:
        on = abs(actual - target) <= abs(target) * MAINTAIN_TOLERANCE
    else:
        on = actual >= target
    return percent, "on" if on else "off"


@dataclass
class PeriodPoint:
    code: str
    value: Decimal | None
    ci_low: float | None
    ci_high: float | None
    target: Decimal | None


@dataclass
class CellLine:
    label: str
    value: Decimal | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    decimals: int

    @property
    def value_text(self) -> str:
        return format_number(self.value, self.decimals)

    @property
    def ci_text(self) -> str:
        if self.ci_low is None or self.ci_high is None:
            return ""
        low = format_number(self.ci_low, self.decimals)
        return f"{low} – {format_number(self.ci_high, self.decimals)}"


@dataclass
class DisaggregationTable:
    indicator_code: str
    indicator_name: str
    dimensions: str
    unit: str
    rows: list[CellLine]


@dataclass
class IndicatorLine:
    code: str
    name: str
    definition: str
    unit: str
    decimals: int
    direction: str
    direction_label: str
    kind_label: str
    data_source: str
    sdg_indicator: str
    baseline: Decimal | None
    target: Decimal | None
    actual: Decimal | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    percent_of_target: Decimal | None
    track: Track
    track_label: str
    missing_reason: str
    history: list[PeriodPoint]
    bar_chart: SafeString = field(default_factory=lambda: SafeString(""))
    line_chart: SafeString = field(default_factory=lambda: SafeString(""))
    chart_legend: SafeString = field(default_factory=lambda: SafeString(""))

    @property
    def baseline_text(self) -> str:
        return format_number(self.baseline, self.decimals)

    @property
    def target_text(self) -> str:
        return format_number(self.target, self.decimals)

    @property
    def actual_text(self) -> str:
        return format_number(self.actual, self.decimals)

    @property
    def ci_text(self) -> str:
        if self.ci_low is None or self.ci_high is None:
            return ""
        low = format_number(self.ci_low, self.decimals)
        return f"{low} – {format_number(self.ci_high, self.decimals)}"

    @property
    def percent_text(self) -> str:
        if self.percent_of_target is None:
            return "–"
        return f"{format_number(self.percent_of_target, 0)} %"


@dataclass
class ResultLine:
    code: str
    level: str
    level_label: str
    statement: str
    depth: int
    indicators: list[IndicatorLine]


@dataclass
class NarrativeBlock:
    section: str
    heading: str
    paragraphs: list[str]
    language: str
    fallback: bool


@dataclass
class Report:
    framework_id: int
    title: str
    owner_label: str
    owner_code: str
    owner_title: str
    countries: list[str]
    period_code: str
    starts_on: date
    ends_on: date
    period_locked: bool
    language: str
    generated_at: datetime
    results: list[ResultLine]
    disaggregations: list[DisaggregationTable]
    narratives: list[NarrativeBlock]
    synthetic: bool

    @property
    def indicators(self) -> list[IndicatorLine]:
        return [line for result in self.results for line in result.indicators]

    @property
    def file_stem(self) -> str:
        return f"report-{self.owner_code or self.framework_id}-{self.period_code}-{self.language}"


def _translated(translations: object, language: str, fallback: str) -> str:
    if isinstance(translations, dict):
        found = translations.get(language)
        if found:
            return str(found)
    return fallback


def _unit_label(indicator: Indicator) -> str:
    label = str(Unit(indicator.unit).label) if indicator.unit in Unit.values else indicator.unit
    if indicator.unit in MONEY_UNITS and indicator.currency:
        return f"{indicator.currency} ({label})"
    return label


def _countries(framework: ResultsFramework) -> list[Country]:
    if framework.project is not None:
        return list(framework.project.countries.order_by("iso3"))
    if framework.programme is not None:
        return list(
            Country.objects.filter(projects__programme=framework.programme)
            .distinct()
            .order_by("iso3")
        )
    return []


def _cell_label(cell: dict[str, str], villages: dict[str, str], countries: dict[str, str]) -> str:
    names = {Dimension.VILLAGE.value: villages, Dimension.COUNTRY.value: countries}
    return " · ".join(category_text(d, cell[d], names) for d in sorted(cell))


def _dimensions_label(cell: dict[str, str]) -> str:
    labels = dict(Dimension.choices)
    return " × ".join(str(labels.get(d, d)) for d in sorted(cell))


def _owner(framework: ResultsFramework, language: str) -> tuple[str, str, str, bool]:
    if framework.project is not None:
        project = framework.project
        title = project.title_zh if language == "zh-hans" and project.title_zh else project.title
        return _("Project"), project.code, title, project.is_synthetic
    programme = framework.programme
    assert programme is not None  # the model's constraint: a programme or a project
    title = programme.title_zh if language == "zh-hans" and programme.title_zh else programme.title
    synthetic = programme.projects.filter(is_synthetic=True).exists()
    return _("Programme"), programme.code, title, synthetic


def _narratives(
    framework: ResultsFramework, period: ReportingPeriod, language: str
) -> list[NarrativeBlock]:
    written = {
        (n.section, n.language): n
        for n in Narrative.objects.filter(
            framework=framework, period=period, language__in={language, "en"}
        )
    }
    blocks = []
    for section, heading in NarrativeSection.choices:
        narrative = written.get((section, language)) or written.get((section, "en"))
        if narrative is None:
            continue
        paragraphs = [p.strip() for p in narrative.text.split("\n\n") if p.strip()]
        blocks.append(
            NarrativeBlock(
                section=section,
                heading=str(heading),
                paragraphs=paragraphs,
                language=narrative.language,
                fallback=narrative.language != language,
            )
        )
    return blocks


def _indicator_line(
    indicator: Indicator,
    period: ReportingPeriod,
    history_periods: list[ReportingPeriod],
    totals: dict[tuple[int, int], IndicatorValue],
    targets: dict[tuple[int, int], Decimal],
    language: str,
) -> IndicatorLine:
    value = totals.get((indicator.id, period.id))
    target = targets.get((indicator.id, period.id))
    actual = value.value if value is not None else None
    percent, track = progress(
        actual=actual,
        target=target,
        baseline=indicator.baseline_value,
        direction=indicator.direction,
    )
    track_labels = {"on": _("On track"), "off": _("Off track"), "unknown": _("Not known")}
    if value is None:
        missing = _("No approved or computed value for this period.")
    elif actual is None:
        missing = value.unavailable_reason or _("The value could not be computed.")
    else:
        missing = ""
    history = []
    for past in history_periods:
        point = totals.get((indicator.id, past.id))
        history.append(
            PeriodPoint(
                code=past.code,
                value=point.value if point is not None else None,
                ci_low=point.ci_low if point is not None else None,
                ci_high=point.ci_high if point is not None else None,
                target=targets.get((indicator.id, past.id)),
            )
        )
    name = indicator.text(language)
    line = IndicatorLine(
        code=indicator.code,
        name=name,
        definition=indicator.definition,
        unit=_unit_label(indicator),
        decimals=indicator.decimals,
        direction=indicator.direction,
        direction_label=str(Direction(indicator.direction).label),
        kind_label=str(IndicatorKind(indicator.kind).label),
        data_source=indicator.data_source,
        sdg_indicator=indicator.sdg_indicator,
        baseline=indicator.baseline_value,
        target=target,
        actual=actual,
        se=value.se if value is not None else None,
        ci_low=value.ci_low if value is not None else None,
        ci_high=value.ci_high if value is not None else None,
        n=value.n if value is not None else None,
        percent_of_target=percent,
        track=track,
        track_label=str(track_labels[track]),
        missing_reason=missing,
        history=history,
    )
    as_float = [None if v is None else float(v) for v in (line.baseline, target, actual)]
    line.bar_chart = charts.bar_chart(
        [
            charts.Bar(_("Baseline"), as_float[0], "baseline"),
            charts.Bar(_("Target"), as_float[1], "target"),
            charts.Bar(_("Actual"), as_float[2], "actual"),
        ],
        decimals=indicator.decimals,
        title=_("%(indicator)s: baseline, target and actual") % {"indicator": name},
    )
    line.line_chart = charts.line_chart(
        [
            charts.Point(
                label=p.code,
                value=None if p.value is None else float(p.value),
                ci_low=p.ci_low,
                ci_high=p.ci_high,
                target=None if p.target is None else float(p.target),
            )
            for p in history
        ],
        decimals=indicator.decimals,
        title=_("%(indicator)s by period") % {"indicator": name},
    )
    line.chart_legend = charts.legend(
        [
            ("baseline", _("Baseline")),
            ("target", _("Target")),
            ("actual", _("Actual (95 % confidence interval)")),
        ]
    )
    return line


def report_build(*, framework: ResultsFramework, period: ReportingPeriod, language: str) -> Report:
    """The report's content in ``language`` (en, zh-hans or my)."""
    language = check_language(language)
    if period.framework_id != framework.id:
        raise InvalidInput(
            _("Period %(code)s belongs to another framework.") % {"code": period.code},
            field="period",
        )
    with translation.override(language):
        return _build(framework, period, language)


def _build(framework: ResultsFramework, period: ReportingPeriod, language: str) -> Report:
    history_periods = list(framework.periods.filter(starts_on__lte=period.starts_on))
    values = list(reportable_values(framework=framework, periods=history_periods))
    totals = {(v.indicator_id, v.period_id): v for v in values if v.disaggregation_key == ""}
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.filter(indicator__framework=framework, period__in=history_periods)
    }
    indicators_by_node: dict[int, list[Indicator]] = defaultdict(list)
    indicators = list(framework.indicators.order_by("order", "code"))
    for indicator in indicators:
        indicators_by_node[indicator.result_id].append(indicator)

    nodes = list(framework.nodes.order_by("order", "code"))
    children: dict[int | None, list[ResultNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    level_rank = {level.value: rank for rank, level in enumerate(LEVEL_ORDER)}
    results: list[ResultLine] = []

    def walk(parent: int | None, depth: int) -> None:
        ordered = sorted(children[parent], key=lambda n: (level_rank.get(n.level, 9), n.order))
        for node in ordered:
            results.append(
                ResultLine(
                    code=node.code,
                    level=node.level,
                    level_label=str(Level(node.level).label),
                    statement=_translated(node.translations, language, node.statement),
                    depth=depth,
                    indicators=[
                        _indicator_line(
                            indicator, period, history_periods, totals, targets, language
                        )
                        for indicator in indicators_by_node[node.id]
                    ],
                )
            )
            walk(node.id, depth + 1)

    walk(None, 0)

    countries = _countries(framework)
    country_names = {c.iso3: c.display_name for c in countries}
    cells = [v for v in values if v.period_id == period.id and v.disaggregation_key != ""]
    village_codes = {str(v.disaggregation.get(Dimension.VILLAGE, "")) for v in cells} - {""}
    villages = {
        v.code: v.display_name
        for v in Village.objects.filter(code__in=village_codes).select_related("country")
    }
    grouped: dict[tuple[int, str], list[IndicatorValue]] = defaultdict(list)
    for value in cells:
        grouped[(value.indicator_id, _dimensions_label(value.disaggregation))].append(value)
    by_id = {i.id: i for i in indicators}
    tables = []
    for (indicator_id, dimensions), rows in grouped.items():
        indicator = by_id[indicator_id]
        tables.append(
            DisaggregationTable(
                indicator_code=indicator.code,
                indicator_name=indicator.text(language),
                dimensions=dimensions,
                unit=_unit_label(indicator),
                rows=[
                    CellLine(
                        label=_cell_label(row.disaggregation, villages, country_names),
                        value=row.value,
                        se=row.se,
                        ci_low=row.ci_low,
                        ci_high=row.ci_high,
                        n=row.n,
                        decimals=indicator.decimals,
                    )
                    for row in rows
                ],
            )
        )
    owner_label, owner_code, owner_title, synthetic = _owner(framework, language)
    return Report(
        framework_id=framework.id,
        title=_translated(framework.translations, language, framework.title),
        owner_label=owner_label,
        owner_code=owner_code,
        owner_title=owner_title,
        countries=[c.display_name for c in countries],
        period_code=period.code,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        period_locked=period.is_locked,
        language=language,
        generated_at=timezone.now(),
        results=results,
        disaggregations=tables,
        narratives=_narratives(framework, period, language),
        synthetic=synthetic,
    )


def language_name(language: str) -> str:
    return str(dict(settings.LANGUAGES).get(language, language))
