"""Reads on the organisation and territory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, QuerySet, Value, When

from config.caching import cached_for
from departments.models import AddressAlias, Community, Department, Street


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


def clear_place_cache() -> None:
    _place_names.clear()


def street_office_for(street_id: int | None) -> Department | None:
    if street_id is None:
        return None
    return Department.objects.filter(street_id=street_id, kind="street", is_active=True).first()


# Bureaus first, then utilities, street offices and communities: the order a dispatcher scans.
_KIND_ORDER = {"functional": 0, "utility": 1, "street": 2, "community": 3}


def in_scanning_order(departments: QuerySet[Department]) -> QuerySet[Department]:
    kind_order = Case(*(When(kind=kind, then=Value(rank)) for kind, rank in _KIND_ORDER.items()), default=Value(9))
    return departments.order_by(kind_order, "code")


def departments_for_choice() -> list[Department]:
    return list(in_scanning_order(Department.objects.filter(is_active=True)))


def community_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Communities grouped by street, for a select with one group per street."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for community_id, name, street in Community.objects.order_by("street__code", "code").values_list(
        "pk", "name", "street__name"
    ):
        groups.setdefault(street, []).append((community_id, name))
    return list(groups.items())
