"""Reads on the organisation and territory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
from django.db.models import Case, QuerySet, Value, When
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.caching import cached_for
from departments.geometry import Shape, first_holding
from departments.models import AddressAlias, CalendarOverride, Community, Department, OverrideKind, Street
from departments.working_time import YearSource, current_clock, official_years, statutory_days_off, year_source


@dataclass(frozen=True)
class ResolvedLocation:
    street_id: int | None = None
    community_id: int | None = None
    matched: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"street_id": self.street_id, "community_id": self.community_id, "matched": self.matched}


@cached_for(60)
def _place_names() -> list[tuple[str, int, int | None]]:
    """Every name that places an address: those naming a community before those naming only a
    street (a street name says less), and longest first within each (六和城 before 六和).
    Kept for a minute: routing asks for them on every demand, and they change rarely."""
    names: list[tuple[str, int, int | None]] = []
    names += [(a.text, a.street_id, a.community_id) for a in AddressAlias.objects.all()]
    names += [(c.name, c.street_id, c.pk) for c in Community.objects.all()]
    names += [(s.name, s.pk, None) for s in Street.objects.all()]
    names.sort(key=lambda item: (item[2] is None, -len(item[0])))
    return names


def resolve_location(*texts: str) -> ResolvedLocation:
    """Place a demand in a community (or at least a street) from its address and text. The first
    text that names a place decides, so the stated location outranks a place the story mentions."""
    names = _place_names.get()
    for text in texts:
        if not text:
            continue
        for name, street_id, community_id in names:
            if name and name in text:
                return ResolvedLocation(street_id=street_id, community_id=community_id, matched=name)
    return ResolvedLocation()


@cached_for(300)
def _place_shapes() -> tuple[list[tuple[Shape, ResolvedLocation]], list[tuple[Shape, ResolvedLocation]]]:
    """The drawn communities and streets, checked once and kept: a point is placed on every
    demand that has one. Cleared when a street or community is saved (departments.apps)."""
    communities = [
        (Shape.of(c.boundary), ResolvedLocation(street_id=c.street_id, community_id=c.pk, matched=c.name))
        for c in Community.objects.filter(boundary__isnull=False).order_by("code")
    ]
    streets = [
        (Shape.of(s.boundary), ResolvedLocation(street_id=s.pk, matched=s.name))
        for s in Street.objects.filter(boundary__isnull=False).order_by("code")
    ]
    return communities, streets


def resolve_point(latitude: float | Decimal, longitude: float | Decimal) -> ResolvedLocation:
    """Place a point in the community whose outline holds it, else in the street whose outline
    does (a community not drawn yet), else nowhere: the address text decides then."""
    lon, lat = float(longitude), float(latitude)
    communities, streets = _place_shapes.get()
    found = first_holding(communities, lon, lat) or first_holding(streets, lon, lat)
    return found or ResolvedLocation()


def clear_place_cache() -> None:
    _place_names.clear()
    _place_shapes.clear()


def street_office_for(street_id: int | None) -> Department | None:
    if street_id is None:
        return None
    return Department.objects.filter(street_id=street_id, kind="street", is_active=True).first()


# Bureaus first, then utilities, street offices and communities: the order a dispatcher scans.
_KIND_ORDER = {"functional": 0, "utility": 1, "street": 2, "community": 3}


def in_scanning_order(departments: QuerySet[Department]) -> QuerySet[Department]:
    kind_order = Case(*(When(kind=kind, then=Value(rank)) for kind, rank in _KIND_ORDER.items()), default=Value(9))
    return departments.order_by(kind_order, "code")


@cached_for(60)
def _active_departments() -> tuple[Department, ...]:
    return tuple(in_scanning_order(Department.objects.filter(is_active=True)))


def departments_for_choice() -> list[Department]:
    """The departments one may pick, in scanning order. Kept a minute per process: a case page
    offers them in five forms, and they change a few times a year (a change counts at once in the
    process that made it, through the signals in departments.apps)."""
    return list(_active_departments.get())


def clear_department_cache() -> None:
    _active_departments.clear()


def community_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Communities grouped by street, for a select with one group per street."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for community_id, name, street in Community.objects.order_by("street__code", "code").values_list(
        "pk", "name", "street__name"
    ):
        groups.setdefault(street, []).append((community_id, name))
    return list(groups.items())


# --- The working-time calendar, year by year ---------------------------------------------------

# chinese-calendar names its holidays in English; the page says them in the reader's language.
_OFFICIAL_NAMES = {
    chinese_calendar.Holiday.new_years_day.value: _("元旦"),
    chinese_calendar.Holiday.spring_festival.value: _("春节"),
    chinese_calendar.Holiday.tomb_sweeping_day.value: _("清明节"),
    chinese_calendar.Holiday.labour_day.value: _("劳动节"),
    chinese_calendar.Holiday.dragon_boat_festival.value: _("端午节"),
    chinese_calendar.Holiday.national_day.value: _("国庆节"),
    chinese_calendar.Holiday.mid_autumn_festival.value: _("中秋节"),
    chinese_calendar.Holiday.anti_fascist_70th_day.value: _("抗战胜利70周年纪念日"),
}


@dataclass(frozen=True)
class DaysOff:
    """A break: consecutive days off holding a holiday or a weekday (ordinary weekends are not listed)."""

    first: date
    last: date
    names: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class CalendarYear:
    year: int
    source: YearSource
    breaks: list[DaysOff]
    # Saturdays and Sundays worked (调休上班), with the holiday they make up for where known.
    makeup_workdays: list[tuple[date, str]]
    local_exceptions: list[CalendarOverride]
    # Days before the year begins (0 once it has); a fallback year near at hand needs its notice.
    days_until: int

    @property
    def needs_notice(self) -> bool:
        return self.source == YearSource.FALLBACK and self.days_until <= CALENDAR_NOTICE_DAYS_AHEAD


# How long before a year the official calendar does not know administrators are asked for its notice.
CALENDAR_NOTICE_DAYS_AHEAD = 60


def calendar_years(*, today: date, before: int = 1, after: int = 2) -> list[CalendarYear]:
    """The calendar in force for each year from `before` years ago to `after` years ahead: where
    it comes from, its breaks and make-up workdays, and the local exceptions on top."""
    clock = current_clock()
    language = "en_US" if (translation.get_language() or "").startswith("en") else "zh_CN"
    entered = {o.date: o for o in CalendarOverride.objects.filter(date__year__gte=today.year - before)}
    years = []
    for year in range(today.year - before, today.year + after + 1):
        source = year_source(year, clock.notice_years)
        official = year in official_years()
        statutory = {} if official else statutory_days_off(year, language)

        # A local exception is named by its note; any other day by the holiday it belongs to (an
        # entered notice's days included: the notice's title on each of them would say nothing).
        def name_of(day: date, official: bool = official, statutory: dict[date, str] = statutory) -> str:
            override = entered.get(day)
            if override is not None and override.kind == OverrideKind.LOCAL:
                return override.note or str(override.get_kind_display())
            if official:
                name = chinese_calendar.get_holiday_detail(day)[1]
                return str(_OFFICIAL_NAMES.get(name, name or ""))
            return statutory.get(day, "")

        breaks: list[DaysOff] = []
        makeup: list[tuple[date, str]] = []
        run: list[date] = []
        day = date(year, 1, 1)
        while day.year == year:
            if clock.is_workday(day):
                if day.weekday() >= 5:
                    makeup.append((day, name_of(day)))
                _close_break(run, breaks, name_of)
                run = []
            else:
                run.append(day)
            day += timedelta(days=1)
        _close_break(run, breaks, name_of)
        years.append(
            CalendarYear(
                year=year,
                source=source,
                breaks=breaks,
                makeup_workdays=makeup,
                local_exceptions=[o for o in entered.values() if o.date.year == year and o.kind == OverrideKind.LOCAL],
                days_until=max(0, (date(year, 1, 1) - today).days),
            )
        )
    return years


def _close_break(run: list[date], breaks: list[DaysOff], name_of: Callable[[date], str]) -> None:
    names = tuple(dict.fromkeys(name for name in map(name_of, run) if name))
    if run and (names or any(day.weekday() < 5 for day in run)):
        breaks.append(DaysOff(first=run[0], last=run[-1], names=names))
