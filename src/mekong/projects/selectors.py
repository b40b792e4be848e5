"""Reads of the portfolio, always through projects.access (the user's scope)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.projects.access import projects_visible_to
from mekong.projects.models import (
    Asset,
    Component,
    ExchangeRate,
    Project,
    ProjectStatus,
    RateType,
    Transaction,
    TransactionKind,
    WorkPlan,
)
from mekong.projects.money import NoExchangeRate, RateBook


@dataclass(frozen=True)
class ProjectFilters:
    country: str | None = None
    framework: str | None = None
    status: str | None = None
    focus_area: str | None = None
    sector: str | None = None
    search: str | None = None


def project_list(*, user: object, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    projects = projects_visible_to(user).prefetch_related("countries")
    if filters is None:
        return projects.order_by("code")
    if filters.country:
        projects = projects.filter(countries__iso3=filters.country.upper())
    if filters.framework:
        projects = projects.filter(programme__framework__code=filters.framework)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.focus_area:
        # JSON containment is not portable to SQLite; the quoted value is exact in a JSON list.
        projects = projects.filter(focus_areas__icontains=f'"{filters.focus_area}"')
    if filters.sector:
        projects = projects.filter(sectors__code=filters.sector)
    if filters.search:
        projects = projects.filter(title__icontains=filters.search) | projects.filter(
            code__iexact=filters.search
        )
    return projects.distinct().order_by("code")


def project_get_for_user(*, user: object, project_id: int) -> Project:
    project = projects_visible_to(user).filter(id=project_id).first()
    if project is None:
        raise NotFound(_("No project with id %(id)s.") % {"id": project_id})
    return project


def project_components(project: Project) -> list[Component]:
    assets = Asset.objects.select_related(
        "village", "village__country", "contractor", "operator"
    ).prefetch_related("progress_updates")
    return list(
        project.components.prefetch_related(
            Prefetch("activities__assets", queryset=assets)
        ).order_by("position", "id")
    )


def project_work_plans(project: Project) -> list[WorkPlan]:
    return list(project.work_plans.prefetch_related("approvals__approved_by").order_by("year"))


def project_display_currencies(project: Project) -> list[str]:
    """Original amounts are shown beside CNY, USD and the partner country's currency."""
    currencies = ["CNY", "USD"]
    for country in project.countries.all():
        if country.is_partner and country.currency not in currencies:
            currencies.append(country.currency)
    return currencies


@dataclass
class Converted:
    amounts: dict[str, Decimal | None]
    notes: dict[str, str]


@dataclass
class TransactionRow:
    transaction: Transaction
    converted: Converted


@dataclass
class FinanceSummary:
    currencies: list[str]
    rate_type: str
    rows: list[TransactionRow]
    # (component title, year) -> {"budget": Decimal, "spent": Decimal} in project currency
    budget_vs_actual: dict[tuple[str, int], dict[str, Decimal]]
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    missing_rates: list[str] = field(default_factory=list)
    # currency -> year -> {"budget": Decimal, "spent": Decimal}, for the chart
    by_year: dict[str, dict[int, dict[str, Decimal]]] = field(default_factory=dict)


def _convert_all(
    book: RateBook, amount: Decimal, currency: str, on: object, targets: list[str]
) -> Converted:
    amounts: dict[str, Decimal | None] = {}
    notes: dict[str, str] = {}
    for target in targets:
        try:
            conversion = book.convert(amount, currency, target, on)  # type: ignore[arg-type]
        except NoExchangeRate as exc:
            amounts[target] = None
            notes[target] = exc.message
        else:
            amounts[target] = conversion.amount
            notes[target] = conversion.describe()
    return Converted(amounts, notes)


def project_finance(project: Project, *, rate_type: str = RateType.OFFICIAL) -> FinanceSummary:
    """Transactions in their own currency and in CNY, USD and the partner currency, with the
    rate used for each; budget against expenditure by component and year, in the project's
    currency. A missing rate shows as a gap with its reason, never as a wrong number."""
    currencies = project_display_currencies(project)
    transactions = list(
        project.transactions.select_related("component").order_by("value_date", "id")
    )
    budget_lines = list(project.budget_lines.select_related("component"))
    book = RateBook(
        rate_type,
        currencies={
            project.currency,
            *currencies,
            *(t.currency for t in transactions),
            *(line.currency for line in budget_lines),
        },
    )
    rows = [
        TransactionRow(t, _convert_all(book, t.amount, t.currency, t.value_date, currencies))
        for t in transactions
    ]
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        for currency, amount in row.converted.amounts.items():
            if amount is not None:
                totals[row.transaction.kind][currency] += amount

    table: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(
        lambda: {"budget": Decimal("0"), "spent": Decimal("0")}
    )
    missing: list[str] = []
    no_component = _("Whole project")
    for line in budget_lines:
        key = (line.component.title if line.component else no_component, line.year)
        try:
            table[key]["budget"] += book.convert(
                line.amount, line.currency, project.currency, line.value_date
            ).amount
        except NoExchangeRate as exc:
            missing.append(exc.message)
    for t in transactions:
        if t.kind != TransactionKind.EXPENDITURE:
            continue
        key = (t.component.title if t.component else no_component, t.value_date.year)
        try:
            table[key]["spent"] += book.convert(
                t.amount, t.currency, project.currency, t.value_date
            ).amount
        except NoExchangeRate as exc:
            missing.append(exc.message)
    by_year: dict[str, dict[int, dict[str, Decimal]]] = {
        c: defaultdict(lambda: {"budget": Decimal("0"), "spent": Decimal("0")}) for c in currencies
    }
    for line in budget_lines:
        converted = _convert_all(book, line.amount, line.currency, line.value_date, currencies)
        for currency, amount in converted.amounts.items():
            if amount is not None:
                by_year[currency][line.year]["budget"] += amount
    for row in rows:
        if row.transaction.kind != TransactionKind.EXPENDITURE:
            continue
        for currency, amount in row.converted.amounts.items():
            if amount is not None:
                by_year[currency][row.transaction.value_date.year]["spent"] += amount
    return FinanceSummary(
        by_year={c: dict(sorted(years.items())) for c, years in by_year.items()},
        currencies=currencies,
        rate_type=rate_type,
        rows=rows,
        budget_vs_actual=dict(sorted(table.items(), key=lambda item: (item[0][1], item[0][0]))),
        totals={kind: dict(values) for kind, values in totals.items()},
        missing_rates=sorted(set(missing)),
    )


def status_counts(projects: QuerySet[Project]) -> dict[str, int]:
    counts = {status.value: 0 for status in ProjectStatus}
    for status in projects.values_list("status", flat=True):
        counts[status] += 1
    return counts


@dataclass(frozen=True)
class RateSeries:
    """One pair and type of recorded exchange rates, for the rates page."""

    base: str
    quote: str
    rate_type: str
    count: int
    first: date
    last: date
    latest_rate: Decimal
    latest_source: str

    @property
    def rate_type_label(self) -> str:
        return str(RateType(self.rate_type).label)

    @property
    def latest_rate_text(self) -> str:
        """The rate without the stored trailing zeros (2105.5, not 2105.50000000)."""
        return format(self.latest_rate.normalize(), "f")


def exchange_rate_series() -> list[RateSeries]:
    """Every recorded pair and type with its span and latest rate. Rates are reference
    data without personal details: any signed-in user may read them."""
    latest = ExchangeRate.objects.filter(
        base=OuterRef("base"), quote=OuterRef("quote"), rate_type=OuterRef("rate_type")
    ).order_by("-date")
    rows = (
        ExchangeRate.objects.values("base", "quote", "rate_type")
        .annotate(
            count=Count("id"),
            first=Min("date"),
            last=Max("date"),
            latest_rate=Subquery(latest.values("rate")[:1]),
            latest_source=Subquery(latest.values("source")[:1]),
        )
        .order_by("base", "quote", "rate_type")
    )
    return [RateSeries(**row) for row in rows]
