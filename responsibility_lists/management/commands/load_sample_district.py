"""Load the sample district of Pingshan: streets, communities (with approximate demo outlines)
and their place names, departments, demo staff for every role, and a published responsibility
list. Safe to run again: what exists is updated, and the list is published only once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from config.demo_clock import clock_at
from departments.models import AddressAlias, Community, Department, DepartmentKind, Membership, Role, Street
from responsibility_lists.list_io import create_draft_from_rows, read_csv
from responsibility_lists.models import ListVersion
from responsibility_lists.services import version_publish

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
DISPATCH_CENTRE = "ZXZX"
DEMO_PASSWORD = "pingshan2026"
LIST_IN_FORCE_DAYS = 90

# username, role, display name; all of them sit in the dispatch centre
DISTRICT_STAFF = [
    ("admin", Role.ADMIN, "系统管理员"),
    ("intake", Role.INTAKE_OPERATOR, "受理员 小陈"),
    ("dispatcher", Role.DISPATCH_OFFICER, "分拨员 小李"),
    ("dispatcher2", Role.DISPATCH_OFFICER, "分拨员 小王"),
    ("supervisor", Role.SUPERVISOR, "督办员 老周"),
    ("maintainer", Role.LIST_MAINTAINER, "清单维护员 小林"),
    ("auditor", Role.AUDITOR, "考核员 小郑"),
    ("callback", Role.CALLBACK_OFFICER, "回访员 小吴"),
]


class Command(BaseCommand):
    help = "Load the sample district (territory, departments, demo staff, published list)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password of every demo account")

    @transaction.atomic
    def handle(self, *args, password: str, verbosity: int = 1, **options):
        if verbosity == 0:
            self.stdout.write = lambda *a, **k: None  # type: ignore[method-assign]
        data = json.loads((SAMPLE_DIR / "district.json").read_text(encoding="utf-8"))
        self._load_territory(data["streets"])
        self._load_departments(data["departments"])
        users = self._load_staff(password)
        if ListVersion.objects.exists():
            self.stdout.write("A responsibility list already exists; left as it is.")
        else:
            rows = read_csv(SAMPLE_DIR / "matters.csv")
            draft = create_draft_from_rows(rows, title="坪山区民生诉求职责清单（2026年版）")
            # The sample list has been in force for a while, so demo demands of the past weeks
            # (load_demo_demands) were routed under it.
            with clock_at(timezone.now() - timedelta(days=LIST_IN_FORCE_DAYS)):
                version_publish(version_id=draft.pk, actor=users["maintainer"])
            self.stdout.write(f"Published {draft} with {draft.matters.count()} matters.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample district loaded: {Street.objects.count()} streets, {Community.objects.count()} "
                f"communities, {Department.objects.count()} departments, {len(users)} demo accounts "
                f"(password: {password})."
            )
        )

    def _load_territory(self, streets: list[dict]) -> None:
        for item in streets:
            street, _ = Street.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "boundary": item.get("boundary")}
            )
            for alias in item.get("aliases", []):
                if alias != street.name:
                    AddressAlias.objects.update_or_create(text=alias, defaults={"street": street, "community": None})
            for entry in item["communities"]:
                community, _ = Community.objects.update_or_create(
                    code=entry["code"],
                    defaults={"name": entry["name"], "street": street, "boundary": entry.get("boundary")},
                )
                for alias in entry.get("aliases", []):
                    AddressAlias.objects.update_or_create(
                        text=alias, defaults={"street": street, "community": community}
                    )

    def _load_departments(self, departments: list[dict]) -> None:
        by_code: dict[str, Department] = {}
        for item in sorted(departments, key=lambda d: d.get("parent") is not None):
            defaults = {
                "name": item["name"],
                "short_name": item.get("short_name", ""),
                "kind": DepartmentKind(item["kind"]),
                "parent": by_code.get(item.get("parent", "")),
                "street": Street.objects.get(code=item["street"]) if item.get("street") else None,
                "community": Community.objects.get(code=item["community"]) if item.get("community") else None,
            }
            by_code[item["code"]], _ = Department.objects.update_or_create(code=item["code"], defaults=defaults)

    def _load_staff(self, password: str) -> dict:
        User = get_user_model()
        # One hash for every demo account: hashing a hundred passwords one by one takes a minute.
        hashed = make_password(password)
        centre = Department.objects.get(code=DISPATCH_CENTRE)
        accounts: list[tuple[str, str, Department, str]] = [
            (username, role, centre, label) for username, role, label in DISTRICT_STAFF
        ]
        for department in Department.objects.exclude(code=DISPATCH_CENTRE):
            slug = department.code.lower().replace("-", "_")
            accounts.append((f"{slug}_handler", Role.HANDLER, department, f"{department.display_name} 承办人"))
            if department.kind != DepartmentKind.COMMUNITY:
                accounts.append((f"{slug}_head", Role.HEAD, department, f"{department.display_name} 负责人"))
        users = {}
        for username, role, department, label in accounts:
            user, _ = User.objects.get_or_create(username=username, defaults={"password": hashed, "first_name": label})
            if username == "admin" and not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(user=user, department=department, role=role)
            users[username] = user
        return users
