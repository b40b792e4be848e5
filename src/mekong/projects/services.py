"""Writes to the portfolio: one function per use case, transactional, scope-checked.

Rules enforced here: the project cycle moves one step forward at a time, dated and
attributed; a disbursement never exceeds what remains of its commitment; a work plan binds
only when both sides approved, and each side approves once; currencies are ISO 4217.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from mekong.core.changes import full_clean_or_raise, save_new
from mekong.core.codelists import sector_codes
from mekong.core.errors import Conflict, InvalidInput
from mekong.geo.models import Country, Village
from mekong.partners.access import acting_user
from mekong.partners.models import Organisation, Person
from mekong.projects.access import (
    require_can_approve,
    require_can_edit_project,
    require_can_keep_rates,
)
from mekong.projects.models import (
    Activity,
    Asset,
    BudgetLine,
    Component,
    ExchangeRate,
    ExpertTeam,
    ExpertTeamMember,
    FocusArea,
    JointOffice,
    JointOfficeMember,
    ParticipantRole,
    Programme,
    ProgressUpdate,
    Project,
    ProjectParticipant,
    ProjectSector,
    ProjectStatus,
    ProjectTransition,
    Side,
    Transaction,
    TransactionKind,
    VotingOption,
    VotingRound,
    WorkPlan,
    WorkPlanApproval,
)
from mekong.projects.money import RateBook, validate_currency

CYCLE = list(ProjectStatus)


class IllegalTransition(Conflict):
    pass


class DisbursementExceedsCommitment(Conflict):
    pass


class ApprovalAlreadyGiven(Conflict):
    pass


def _system_or_check(user: object | None, project: Project) -> None:
    if user is not None:
        require_can_edit_project(user, project)


@transaction.atomic
def project_create(
    *,
    user: object | None,
    programme: Programme,
    code: str,
    title: str,
    countries: Iterable[Country],
    currency: str,
    focus_areas: Iterable[str] = (),
    sectors: dict[str, Decimal] | None = None,
    participants: Iterable[tuple[Organisation, str]] = (),
    villages: Iterable[Village] = (),
    title_zh: str = "",
    title_local: str = "",
    summary: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    is_synthetic: bool = False,
) -> Project:
    countries = list(countries)
    if not countries:
        raise InvalidInput(_("countries: a project needs at least one country."), field="countries")
    if Project.objects.filter(code=code).exists():
        raise Conflict(
            _("A project with code %(code)s already exists.") % {"code": code}, field="code"
        )
    areas = list(dict.fromkeys(focus_areas))
    unknown = [a for a in areas if a not in FocusArea.values]
    if unknown:
        raise InvalidInput(
            _("focus_areas: unknown focus area %(area)r.") % {"area": unknown[0]},
            field="focus_areas",
        )
    project = Project(
        programme=programme,
        code=code,
        title=title,
        title_zh=title_zh,
        title_local=title_local,
        summary=summary,
        currency=validate_currency(currency),
        focus_areas=areas,
        start_date=start_date,
        end_date=end_date,
        is_synthetic=is_synthetic,
    )
    if start_date and end_date and end_date < start_date:
        raise InvalidInput(
            _("end_date: the project cannot end before it starts."), field="end_date"
        )
    full_clean_or_raise(project)
    save_new(
        project,
        conflict=_("A project with code %(code)s already exists.") % {"code": code},
        field="code",
    )
    project.countries.set(countries)
    if user is not None:
        # Checked after the countries are set: the scope test reads them.
        require_can_edit_project(user, project)
    village_list = list(villages)
    outside = [v.code for v in village_list if v.country_id not in {c.id for c in countries}]
    if outside:
        raise InvalidInput(
            _("villages: %(code)s is not in the project's countries.") % {"code": outside[0]},
            field="villages",
        )
    project.villages.set(village_list)
    _set_sectors(project, sectors or {})
    for organisation, role in participants:
        if role not in ParticipantRole.values:
            raise InvalidInput(
                _("participants: unknown role %(role)r.") % {"role": role}, field="participants"
            )
        ProjectParticipant.objects.create(project=project, organisation=organisation, role=role)
    return project


def _set_sectors(project: Project, sectors: dict[str, Decimal]) -> None:
    known = sector_codes()
    for code, share in sectors.items():
        if code not in known:
            raise InvalidInput(
                _("sectors: %(code)r is not an OECD-DAC purpose code.") % {"code": code},
                field="sectors",
            )
        if not Decimal("0") < share <= Decimal("100"):
            raise InvalidInput(
                _("sectors: each share must be above 0 and at most 100 %."), field="sectors"
            )
    if sectors and sum(sectors.values()) != Decimal("100"):
        raise InvalidInput(
            _("sectors: the shares add up to %(total)s %%, not 100 %%.")
            % {"total": sum(sectors.values())},
            field="sectors",
        )
    ProjectSector.objects.filter(project=project).delete()
    ProjectSector.objects.bulk_create(
        ProjectSector(project=project, code=code, percentage=share)
        for code, share in sectors.items()
    )


@transaction.atomic
def project_transition(
    *,
    user: object | None,
    project: Project,
    to_status: ProjectStatus | str,
    occurred_on: date,
    note: str = "",
) -> ProjectTransition:
    """Move the project one step along the cycle; skipping or going back is refused."""
    _system_or_check(user, project)
    locked = Project.objects.select_for_update().get(id=project.id)
    current = ProjectStatus(locked.status)
    try:
        target = ProjectStatus(to_status)
    except ValueError:
        raise InvalidInput(
            _("to_status: unknown status %(status)r.") % {"status": to_status}, field="to_status"
        ) from None
    position = CYCLE.index(current)
    if position + 1 >= len(CYCLE) or CYCLE[position + 1] != target:
        allowed = CYCLE[position + 1].label if position + 1 < len(CYCLE) else _("none (closed)")
        raise IllegalTransition(
            _("A project that is “%(current)s” cannot become “%(target)s”; next step: %(next)s.")
            % {"current": current.label, "target": target.label, "next": allowed},
            field="to_status",
        )
    last = locked.transitions.order_by("-occurred_on").first()
    if last is not None and occurred_on < last.occurred_on:
        raise InvalidInput(
            _("occurred_on: %(date)s is before the previous step (%(previous)s).")
            % {"date": occurred_on, "previous": last.occurred_on},
            field="occurred_on",
        )
    move = ProjectTransition.objects.create(
        project=locked,
        from_status=current,
        to_status=target,
        occurred_on=occurred_on,
        by=acting_user(user),
        note=note,
    )
    locked.status = target
    locked.save(update_fields=["status"])
    project.status = target
    return move


@transaction.atomic
def component_create(
    *, user: object | None, project: Project, focus_area: str, title: str, title_zh: str = ""
) -> Component:
    _system_or_check(user, project)
    if focus_area not in FocusArea.values:
        raise InvalidInput(
            _("focus_area: unknown focus area %(area)r.") % {"area": focus_area}, field="focus_area"
        )
    position = project.components.count()
    return Component.objects.create(
        project=project, focus_area=focus_area, title=title, title_zh=title_zh, position=position
    )


@transaction.atomic
def activity_create(
    *,
    user: object | None,
    component: Component,
    title: str,
    start_date: date | None = None,
    end_date: date | None = None,
) -> Activity:
    _system_or_check(user, component.project)
    return Activity.objects.create(
        component=component, title=title, start_date=start_date, end_date=end_date
    )


@transaction.atomic
def asset_create(*, user: object | None, activity: Activity, **fields: Any) -> Asset:
    project = activity.component.project
    _system_or_check(user, project)
    village = fields.get("village")
    if village is not None and not project.villages.filter(id=village.id).exists():
        raise InvalidInput(
            _("village: %(code)s is not one of the project's villages.") % {"code": village.code},
            field="village",
        )
    asset = Asset(activity=activity, **fields)
    full_clean_or_raise(asset)
    asset.save()
    return asset


@transaction.atomic
def asset_progress_record(
    *,
    user: object | None,
    asset: Asset,
    reported_on: date,
    percent_complete: int,
    actual_quantity: Decimal,
    note: str = "",
    photo: Any = None,
) -> ProgressUpdate:
    _system_or_check(user, asset.activity.component.project)
    locked = Asset.objects.select_for_update().get(id=asset.id)
    latest = locked.progress_updates.order_by("-reported_on", "-id").first()
    if latest is not None and reported_on < latest.reported_on:
        raise InvalidInput(
            _("reported_on: a later update (%(date)s) exists already.")
            % {"date": latest.reported_on},
            field="reported_on",
        )
    update = ProgressUpdate(
        asset=locked,
        reported_on=reported_on,
        percent_complete=percent_complete,
        actual_quantity=actual_quantity,
        note=note,
        reported_by=acting_user(user),
    )
    if photo is not None:
        update.photo = photo
    full_clean_or_raise(update)
    update.save()
    locked.percent_complete = percent_complete
    locked.actual_quantity = actual_quantity
    if percent_complete == 100 and locked.completed_on is None:
        locked.completed_on = reported_on
    locked.save(update_fields=["percent_complete", "actual_quantity", "completed_on"])
    return update


PHOTO_MAX_BYTES = 10 * 1024 * 1024
# Magic numbers of the image formats phones send; the extension we store comes from these,
# never from the uploaded file name.
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp"}


@transaction.atomic
def progress_photo_attach(*, user: object | None, update: ProgressUpdate, photo: Any) -> None:
    """Attach a JPEG, PNG or WebP photo (at most 10 MB) to a progress update."""
    _system_or_check(user, update.asset.activity.component.project)
    size = getattr(photo, "size", 0) or 0
    if size > PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("photo: %(size)s bytes is over the 10 MB limit.") % {"size": size}, field="photo"
        )
    head = photo.read(12)
    photo.seek(0)
    kind = next((ext for magic, ext in PHOTO_SIGNATURES.items() if head.startswith(magic)), None)
    if kind == "webp" and head[8:12] != b"WEBP":
        kind = None
    if kind is None:
        raise InvalidInput(_("photo: only JPEG, PNG or WebP images are accepted."), field="photo")
    if update.photo:
        update.photo.delete(save=False)
    update.photo.save(f"update-{update.id}.{kind}", photo, save=True)


@transaction.atomic
def exchange_rate_record(
    *,
    user: object | None,
    base: str,
    quote: str,
    rate_type: str,
    on: date,
    rate: Decimal,
    source: str = "",
) -> ExchangeRate:
    base, quote = _rate_pair(user, base, quote)
    if rate <= 0:
        raise InvalidInput(_("rate: must be greater than zero."), field="rate")
    if ExchangeRate.objects.filter(base=base, quote=quote, rate_type=rate_type, date=on).exists():
        raise Conflict(_rate_exists(base, quote, rate_type, on), field="date")
    exchange_rate = ExchangeRate(
        base=base, quote=quote, rate_type=rate_type, date=on, rate=rate, source=source
    )
    full_clean_or_raise(exchange_rate)
    save_new(exchange_rate, conflict=_rate_exists(base, quote, rate_type, on), field="date")
    return exchange_rate


@transaction.atomic
def exchange_rate_series_record(
    *,
    user: object | None,
    base: str,
    quote: str,
    rate_type: str,
    rates: Sequence[tuple[date, Decimal]],
    source: str = "",
) -> list[ExchangeRate]:
    """Record a series of dated rates of one pair and type (e.g. ten years of monthly
    rates from a central bank's table) with the checks of :func:`exchange_rate_record`,
    all or nothing: one query for dates already recorded, one insert with history rows,
    instead of a validation query, an insert and a history insert per rate."""
    base, quote = _rate_pair(user, base, quote)
    seen: set[date] = set()
    for on, rate in rates:
        if on in seen:
            raise InvalidInput(
                _("date: %(date)s appears twice in the series.") % {"date": on}, field="date"
            )
        if rate <= 0:
            raise InvalidInput(
                _("rate: must be greater than zero (%(date)s).") % {"date": on}, field="rate"
            )
        seen.add(on)
    if not seen:
        return []
    # The series' span rather than its dates: a daily series would overflow SQLite's
    # limit on query parameters.
    recorded = ExchangeRate.objects.filter(
        base=base, quote=quote, rate_type=rate_type, date__range=(min(seen), max(seen))
    ).values_list("date", flat=True)
    taken = sorted(seen.intersection(recorded))
    if taken:
        raise Conflict(_rate_exists(base, quote, rate_type, taken[0]), field="date")
    objects = [
        ExchangeRate(base=base, quote=quote, rate_type=rate_type, date=on, rate=rate, source=source)
        for on, rate in rates
    ]
    for obj in objects:
        # Uniqueness was checked above for the whole series at once.
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise InvalidInput(f"{field} ({obj.date}): {' '.join(messages)}", field=field) from exc
    try:
        with transaction.atomic():
            bulk_create_with_history(
                objects, ExchangeRate, batch_size=1000, default_user=acting_user(user)
            )
    except IntegrityError as exc:
        # Another request recorded one of these dates since the check above.
        raise Conflict(_("Some of these rates were recorded meanwhile."), field="date") from exc
    return objects


def _rate_pair(user: object | None, base: str, quote: str) -> tuple[str, str]:
    """The checked currency pair of a rate, after the user's right to keep rates."""
    if user is not None:
        require_can_keep_rates(user)
    base = validate_currency(base, field="base")
    quote = validate_currency(quote, field="quote")
    if base == quote:
        raise InvalidInput(_("quote: a rate needs two different currencies."), field="quote")
    return base, quote


def _rate_exists(base: str, quote: str, rate_type: str, on: date) -> str:
    return _("A %(type)s %(base)s→%(quote)s rate for %(date)s exists already.") % {
        "type": rate_type,
        "base": base,
        "quote": quote,
        "date": on,
    }


def _check_component(project: Project, component: Component | None) -> None:
    if component is not None and component.project_id != project.id:
        raise InvalidInput(_("component: it belongs to another project."), field="component")


@transaction.atomic
def budget_line_create(
    *,
    user: object | None,
    project: Project,
    year: int,
    amount: Decimal,
    currency: str,
    value_date: date,
    component: Component | None = None,
) -> BudgetLine:
    _system_or_check(user, project)
    _check_component(project, component)
    if amount <= 0:
        raise InvalidInput(_("amount: must be greater than zero."), field="amount")
    line = BudgetLine(
        project=project,
        component=component,
        year=year,
        amount=amount,
        currency=validate_currency(currency),
        value_date=value_date,
    )
    full_clean_or_raise(line)
    line.save()
    return line


@transaction.atomic
def transaction_record(
    *,
    user: object | None,
    project: Project,
    kind: TransactionKind | str,
    amount: Decimal,
    currency: str,
    value_date: date,
    component: Component | None = None,
    commitment: Transaction | None = None,
    description: str = "",
    provider: Organisation | None = None,
    receiver: Organisation | None = None,
) -> Transaction:
    """Record a commitment, disbursement or expenditure (all or nothing).

    A disbursement draws on a commitment of the same project and may not take the sum drawn
    above the commitment; amounts in another currency count at the official rate of their
    own value dates.
    """
    _system_or_check(user, project)
    _check_component(project, component)
    if kind not in TransactionKind.values:
        raise InvalidInput(
            _("kind: unknown transaction kind %(kind)r.") % {"kind": kind}, field="kind"
        )
    if amount <= 0:
        raise InvalidInput(_("amount: must be greater than zero."), field="amount")
    currency = validate_currency(currency)
    if kind == TransactionKind.DISBURSEMENT:
        if commitment is None:
            raise InvalidInput(
                _("commitment: a disbursement must name its commitment."), field="commitment"
            )
        # Lock the commitment: two clerks disbursing at once must not both pass the check.
        commitment = Transaction.objects.select_for_update().get(id=commitment.id)
        if commitment.project_id != project.id or commitment.kind != TransactionKind.COMMITMENT:
            raise InvalidInput(
                _("commitment: not a commitment of this project."), field="commitment"
            )
        book = RateBook(
            currencies={
                commitment.currency,
                currency,
                *commitment.disbursements.values_list("currency", flat=True),
            }
        )
        drawn = Decimal("0")
        for earlier in commitment.disbursements.all():
            drawn += book.convert(
                earlier.amount, earlier.currency, commitment.currency, earlier.value_date
            ).amount
        if value_date < commitment.value_date:
            raise InvalidInput(
                _("value_date: a disbursement cannot precede its commitment (%(date)s).")
                % {"date": commitment.value_date},
                field="value_date",
            )
        this = book.convert(amount, currency, commitment.currency, value_date).amount
        if this <= 0:
            raise InvalidInput(
                _("amount: %(amount)s %(currency)s is less than one cent of %(target)s.")
                % {"amount": amount, "currency": currency, "target": commitment.currency},
                field="amount",
            )
        remaining = commitment.amount - drawn
        if this > remaining:
            raise DisbursementExceedsCommitment(
                _(
                    "This disbursement (%(this)s %(currency)s) exceeds what remains of "
                    "commitment #%(id)s: %(remaining)s of %(total)s %(currency)s."
                )
                % {
                    "this": this,
                    "currency": commitment.currency,
                    "id": commitment.id,
                    "remaining": remaining,
                    "total": commitment.amount,
                },
                field="amount",
            )
    elif commitment is not None:
        raise InvalidInput(
            _("commitment: only disbursements draw on a commitment."), field="commitment"
        )
    record = Transaction(
        project=project,
        component=component,
        kind=kind,
        commitment=commitment,
        amount=amount,
        currency=currency,
        value_date=value_date,
        description=description,
        provider=provider,
        receiver=receiver,
        recorded_by=acting_user(user),
    )
    full_clean_or_raise(record)
    record.save()
    return record


@transaction.atomic
def joint_office_set_up(
    *,
    user: object | None,
    project: Project,
    location: str,
    members: Iterable[tuple[Person, Side | str, str]],
    established_on: date | None = None,
) -> JointOffice:
    _system_or_check(user, project)
    if JointOffice.objects.filter(project=project).exists():
        raise Conflict(_("Project %(code)s has a joint office already.") % {"code": project.code})
    office = JointOffice.objects.create(
        project=project, location=location, established_on=established_on
    )
    for person, side, position in members:
        JointOfficeMember.objects.create(office=office, person=person, side=side, position=position)
    return office


@transaction.atomic
def work_plan_create(
    *, user: object | None, project: Project, year: int, title: str, content: str = ""
) -> WorkPlan:
    _system_or_check(user, project)
    if WorkPlan.objects.filter(project=project, year=year).exists():
        raise Conflict(
            _("Project %(code)s has a work plan for %(year)s already.")
            % {"code": project.code, "year": year},
            field="year",
        )
    plan = WorkPlan(
        project=project, year=year, title=title, content=content, created_by=acting_user(user)
    )
    save_new(
        plan,
        conflict=_("Project %(code)s has a work plan for %(year)s already.")
        % {"code": project.code, "year": year},
        field="year",
    )
    return plan


@transaction.atomic
def work_plan_approve(*, user: object, work_plan: WorkPlan, note: str = "") -> WorkPlanApproval:
    """Approve for the user's side; the plan binds once both sides have approved."""
    side = require_can_approve(user, work_plan.project)
    WorkPlan.objects.select_for_update().get(id=work_plan.id)
    existing = work_plan.approvals.filter(side=side).select_related("approved_by").first()
    if existing is not None:
        raise ApprovalAlreadyGiven(
            _("The %(side)s approved this plan already (%(who)s, %(when)s).")
            % {
                "side": Side(side).label.lower(),
                "who": existing.approved_by.get_username(),
                "when": existing.approved_at.date(),
            }
        )
    approver = acting_user(user)
    assert approver is not None  # require_can_approve admits signed-in users only
    return WorkPlanApproval.objects.create(
        work_plan=work_plan, side=side, approved_by=approver, note=note
    )


def work_plan_is_binding(work_plan: WorkPlan) -> bool:
    return set(work_plan.approvals.values_list("side", flat=True)) == set(Side.values)


@transaction.atomic
def expert_team_create(
    *,
    user: object | None,
    project: Project,
    batch_number: int,
    arrived_on: date,
    members: Iterable[tuple[str, str, bool]],
    left_on: date | None = None,
    villages: Iterable[Village] = (),
) -> ExpertTeam:
    _system_or_check(user, project)
    if ExpertTeam.objects.filter(project=project, batch_number=batch_number).exists():
        raise Conflict(
            _("Batch %(number)s exists already.") % {"number": batch_number}, field="batch_number"
        )
    if left_on is not None and left_on < arrived_on:
        raise InvalidInput(_("left_on: a team cannot leave before it arrives."), field="left_on")
    team = ExpertTeam.objects.create(
        project=project, batch_number=batch_number, arrived_on=arrived_on, left_on=left_on
    )
    team.villages.set(villages)
    for name, specialism, is_leader in members:
        ExpertTeamMember.objects.create(
            team=team, name=name, specialism=specialism, is_leader=is_leader
        )
    return team


@transaction.atomic
def voting_round_record(
    *,
    user: object | None,
    project: Project,
    village: Village,
    held_on: date,
    participants: int,
    options: dict[str, int],
) -> VotingRound:
    """Record a "voting with beans" round: each option with the beans it received."""
    _system_or_check(user, project)
    if not project.villages.filter(id=village.id).exists():
        raise InvalidInput(_("village: not one of the project's villages."), field="village")
    if len(options) < 2:
        raise InvalidInput(_("options: a vote needs at least two options."), field="options")
    if any(v < 0 for v in options.values()):
        raise InvalidInput(_("options: votes cannot be negative."), field="options")
    voting_round = VotingRound.objects.create(
        project=project, village=village, held_on=held_on, participants=participants
    )
    VotingOption.objects.bulk_create(
        VotingOption(voting_round=voting_round, title=title, votes=votes)
        for title, votes in options.items()
    )
    return voting_round


@transaction.atomic
def voting_option_link(*, user: object | None, option: VotingOption, component: Component) -> None:
    project = option.voting_round.project
    _system_or_check(user, project)
    _check_component(project, component)
    option.component = component
    option.save(update_fields=["component"])
