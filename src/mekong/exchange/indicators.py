"""Indicator values in exchange formats: tidy CSV, SDMX-CSV (SDG 1.1.1, 1.2.1, 1.2.2) and a
DHIS2 dataValueSet.

Every export reads through ``mekong.reports.selectors.reportable_values``: approved reported
values and computed or rolled-up values, never drafts or values awaiting approval. Values
are aggregates; nothing here names a household or a person.

Whatever a format cannot carry is returned in ``skipped`` with the reason (an indicator
without a DHIS2 data element, a country without an org unit, a cell SDMX has no dimension
for), so that nothing is dropped silently.

DHIS2 org units: the caller passes ``org_units``, a mapping from a country's ISO 3166
alpha-3 code (or a project or programme code, for totals that span countries) to the
11-character org unit UID of the receiving DHIS2, e.g. ``{"MMR": "ImspTQPwCqd"}``.
``MEKONG_DHIS2_ORG_UNITS`` (``MMR=ImspTQPwCqd,LAO=…``) gives the default mapping.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput
from mekong.geo.models import Country
from mekong.reports.selectors import reportable_values
from mekong.results.models import IndicatorValue, ReportingPeriod, ResultsFramework, Unit

# UN M49 numeric codes for the SDG database's REF_AREA (sdg.md); IATI and ISO use alpha codes.
M49 = {"CHN": "156", "MMR": "104", "LAO": "418", "KHM": "116", "THA": "764", "VNM": "704"}
SDG_INDICATORS = ("1.1.1", "1.2.1", "1.2.2")
SDMX_AGENCY = "MEKONG"
SDMX_DATAFLOW = "DF_SDG_MEKONG"
SDMX_VERSION = "1.0"
SEX_CODES = {"F": "F", "M": "M"}
DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
CSV_COLUMNS = [
    "indicator_code",
    "indicator_name",
    "unit",
    "period",
    "period_start",
    "period_end",
    "disaggregation",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "status",
    "source",
]


@dataclass(frozen=True)
class Skipped:
    indicator_code: str
    period: str
    disaggregation: str
    reason: str


@dataclass
class Export:
    content: str
    skipped: list[Skipped] = field(default_factory=list)
    count: int = 0


def _plain(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return repr(float(value))


def _framework_countries(framework: ResultsFramework) -> list[str]:
    if framework.project is not None:
        return list(framework.project.countries.values_list("iso3", flat=True))
    return list(
        Country.objects.filter(projects__programme=framework.programme)
        .distinct()
        .values_list("iso3", flat=True)
    )


def _exportable(
    framework: ResultsFramework, periods: list[ReportingPeriod] | None
) -> list[IndicatorValue]:
    return [
        v for v in reportable_values(framework=framework, periods=periods) if v.value is not None
    ]


def values_csv(
    *,
    framework: ResultsFramework,
    periods: list[ReportingPeriod] | None = None,
    language: str = "en",
) -> Export:
    """One row per value: indicator, period, disaggregation cell (``sex=F``), value, error."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    values = _exportable(framework, periods)
    for value in values:
        indicator = value.indicator
        writer.writerow(
            [
                indicator.code,
                indicator.text(language),
                indicator.currency if indicator.unit in (Unit.MONEY,) else indicator.unit,
                value.period.code,
                value.period.starts_on.isoformat(),
                value.period.ends_on.isoformat(),
                value.disaggregation_key,
                _plain(value.value),
                _plain(value.se),
                _plain(value.ci_low),
                _plain(value.ci_high),
                "" if value.n is None else value.n,
                value.status,
                value.source,
            ]
        )
    return Export(content=buffer.getvalue(), count=len(values))


def _period_parts(period: ReportingPeriod) -> tuple[str, int, int] | None:
    """("year", 2024, 1), ("semester", 2024, 1), ("quarter", 2024, 3), ("month", 2024, 1),
    or None when the period's dates are not a calendar year, half, quarter or month."""
    start, end = period.starts_on, period.ends_on
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if months == 12 and start.month == 1:
        return ("year", start.year, 1)
    if months == 6 and start.month in (1, 7):
        return ("semester", start.year, 1 if start.month == 1 else 2)
    if months == 3 and start.month in (1, 4, 7, 10):
        return ("quarter", start.year, (start.month - 1) // 3 + 1)
    if months == 1:
        return ("month", start.year, start.month)
    return None


def sdmx_time_period(period: ReportingPeriod) -> str | None:
    parts = _period_parts(period)
    if parts is None:
        return None
    kind, year, number = parts
    return {
        "year": f"{year}",
        "semester": f"{year}-S{number}",
        "quarter": f"{year}-Q{number}",
        "month": f"{year}-{number:02d}",
    }[kind]


def dhis2_period(period: ReportingPeriod) -> str | None:
    parts = _period_parts(period)
    if parts is None:
        return None
    kind, year, number = parts
    return {
        "year": f"{year}",
        "semester": f"{year}S{number}",
        "quarter": f"{year}Q{number}",
        "month": f"{year}{number:02d}",
    }[kind]


def _country_of(value: IndicatorValue, countries: list[str]) -> str | None:
    cell_country = value.disaggregation.get("country") if value.disaggregation else None
    if cell_country:
        return str(cell_country)
    return countries[0] if len(countries) == 1 else None


def values_sdmx_csv(
    *, framework: ResultsFramework, periods: list[ReportingPeriod] | None = None
) -> Export:
    """SDMX-CSV 2.0 of the values of indicators linked to SDG 1.1.1, 1.2.1 or 1.2.2.

    Dimensions SERIES (``Indicator.sdmx_series``), REF_AREA (UN M49), SEX (F, M, _T for the
    total) and TIME_PERIOD; OBS_VALUE the value. The dataflow is this platform's own
    (agency MEKONG), shaped like the SDG global database's.
    """
    import pandas
    import sdmx
    from sdmx.model import common, v21

    agency = common.Agency(id=SDMX_AGENCY)
    dsd = v21.DataStructureDefinition(id="DSD_SDG_MEKONG", maintainer=agency, version=SDMX_VERSION)
    for order, dimension in enumerate(("SERIES", "REF_AREA", "SEX")):
        dsd.dimensions.getdefault(dimension, order=order)
    dsd.dimensions.getdefault("TIME_PERIOD", cls=v21.TimeDimension, order=3)
    measure = dsd.measures.getdefault("OBS_VALUE")
    dataflow = v21.DataflowDefinition(
        id=SDMX_DATAFLOW, maintainer=agency, version=SDMX_VERSION, structure=dsd
    )
    countries = _framework_countries(framework)
    skipped: list[Skipped] = []
    observations = []
    for value in _exportable(framework, periods):
        indicator = value.indicator
        if indicator.sdg_indicator not in SDG_INDICATORS:
            continue

        def skip(reason: str, value: IndicatorValue = value) -> None:
            skipped.append(
                Skipped(value.indicator.code, value.period.code, value.disaggregation_key, reason)
            )

        if not indicator.sdmx_series:
            skip(_("The indicator has no SDMX series code."))
            continue
        cell = dict(value.disaggregation or {})
        cell.pop("country", None)
        sex = cell.pop("sex", None)
        if cell:
            skip(
                _("SDMX output has no dimension for %(dims)s.") % {"dims": ", ".join(sorted(cell))}
            )
            continue
        if sex is not None and sex not in SEX_CODES:
            skip(_("Sex “%(sex)s” has no SDMX code.") % {"sex": sex})
            continue
        iso3 = _country_of(value, countries)
        if iso3 is None or iso3 not in M49:
            skip(_("No single country with a UN M49 code for this value."))
            continue
        time_period = sdmx_time_period(value.period)
        if time_period is None:
            skip(_("The period is not a calendar year, half-year, quarter or month."))
            continue
        key = dsd.make_key(
            common.Key,
            {
                "SERIES": indicator.sdmx_series,
                "REF_AREA": M49[iso3],
                "SEX": SEX_CODES[sex] if sex else "_T",
                "TIME_PERIOD": time_period,
            },
        )
        observations.append(
            v21.Observation(dimension=key, value=float(value.value or 0), value_for=measure)
        )
    dataset = v21.DataSet(described_by=dataflow, structured_by=dsd)
    dataset.add_obs(observations)
    if observations:
        frame: Any = sdmx.to_csv(dataset, rtype=pandas.DataFrame)
        content = str(frame.to_csv(index=False, lineterminator="\n"))
    else:
        content = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE\n"
    return Export(content=content, skipped=skipped, count=len(observations))


def org_units_parse(text: str) -> dict[str, str]:
    """``"MMR=ImspTQPwCqd,LAO=O6uvpzGd5pu"`` → a mapping; errors name the bad entry."""
    mapping: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        key, sep, uid = entry.partition("=")
        if not sep or not key.strip() or not DHIS2_UID.match(uid.strip()):
            raise InvalidInput(
                _(
                    "Org unit mapping entry “%(entry)s” is not CODE=UID with an 11-character "
                    "DHIS2 UID."
                )
                % {"entry": entry},
                field="org_units",
            )
        mapping[key.strip().upper() if len(key.strip()) == 3 else key.strip()] = uid.strip()
    return mapping


def default_org_units() -> dict[str, str]:
    return org_units_parse(str(getattr(settings, "DHIS2_ORG_UNITS", "") or ""))


def values_dhis2(
    *,
    framework: ResultsFramework,
    org_units: dict[str, str],
    periods: list[ReportingPeriod] | None = None,
) -> Export:
    """A DHIS2 dataValueSet (``{"dataValues": [...]}``) of total and per-country values.

    DHIS2 keys other disaggregations by category option combos this platform does not know,
    so those cells are listed in ``skipped`` rather than sent.
    """
    import json

    countries = _framework_countries(framework)
    owner = framework.owner_code
    skipped: list[Skipped] = []
    data_values = []
    for value in _exportable(framework, periods):
        indicator = value.indicator

        def skip(reason: str, value: IndicatorValue = value) -> None:
            skipped.append(
                Skipped(value.indicator.code, value.period.code, value.disaggregation_key, reason)
            )

        if not indicator.dhis2_data_element:
            skip(_("The indicator has no DHIS2 data element."))
            continue
        cell = dict(value.disaggregation or {})
        cell.pop("country", None)
        if cell:
            skip(
                _("DHIS2 needs a category option combo for %(dims)s; none is mapped.")
                % {"dims": ", ".join(sorted(cell))}
            )
            continue
        iso3 = _country_of(value, countries)
        org_unit = org_units.get(iso3) if iso3 else org_units.get(owner)
        if org_unit is None:
            skip(
                _("No DHIS2 org unit is mapped for %(place)s.")
                % {"place": iso3 or owner or _("this framework")}
            )
            continue
        period = dhis2_period(value.period)
        if period is None:
            skip(_("The period is not a calendar year, half-year, quarter or month."))
            continue
        comment = f"{indicator.code} {value.get_status_display()}"
        if value.ci_low is not None and value.ci_high is not None:
            comment += f"; 95% CI {_plain(value.ci_low)}–{_plain(value.ci_high)}"
        data_values.append(
            {
                "dataElement": indicator.dhis2_data_element,
                "period": period,
                "orgUnit": org_unit,
                "value": _plain(value.value),
                "comment": comment,
            }
        )
    content = json.dumps({"dataValues": data_values}, ensure_ascii=False, indent=2)
    return Export(content=content, skipped=skipped, count=len(data_values))


def periods_for(framework: ResultsFramework, code: str | None) -> list[ReportingPeriod] | None:
    """All periods (None) or the one named ``code``; an unknown code is an error."""
    if not code:
        return None
    found = list(framework.periods.filter(code=code))
    if not found:
        raise InvalidInput(
            _("The framework “%(title)s” has no reporting period “%(code)s”.")
            % {"title": framework.title, "code": code},
            field="period",
        )
    return found
