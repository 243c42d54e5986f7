"""The hash chain that makes the audit trail tamper-evident.

Events and contact disclosures are append-only in the database (triggers refuse UPDATE and
DELETE, see migration 0014). Someone with the database's owner account can still drop a trigger,
so each row also carries the hash of the row before it and its own HMAC over its canonical
content, keyed with a secret the database does not hold (`AUDIT_CHAIN_KEY`): a changed, inserted,
reordered or removed row breaks the chain where it happened, and `verify_audit_log` names it.

One chain per demand (and table), numbered 1, 2, 3… by `seq`, not one chain for the district: a
global chain's head is a single row every writer must lock, so every transition in the district
would wait on every other, and a burst of intake or the deadline sweep would queue behind one
lock. A demand's own row is already locked by every transition (demand_transition), so chaining
under that lock costs nothing more and serialises only writers of the same demand. What a
per-demand chain cannot see by itself (the latest rows of a demand deleted, or the whole table
emptied) the daily signed checkpoint sees: it keeps the count, the last id and a digest over all
chain heads in a second append-only table (`AuditCheckpoint`).

The predecessor is read under the demand's lock, so two writers of one demand cannot both take
the same place; the database holds the rest (one row per place, a link that names the row before
it, no time earlier than the row before it), so even a raw INSERT cannot fork or backdate a chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Model
from django.utils.translation import gettext as _

from config.errors import ValidationFailed

GENESIS = ""  # the "hash of the predecessor" of a chain's first row


class BackdatedRecord(ValidationFailed):
    """A row dated before the row it follows in its chain: an event cannot be slipped into the past."""


def chain_key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    # PostgreSQL's jsonb gives a whole float back as an int when it is large (1e20): hashed as the
    # int either way, so that a row reads back as it was written.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _canonical(kind: str, fields: dict[str, Any]) -> bytes:
    # Through JSON once first, so that what was written (an int key, a tuple) hashes as what
    # the database gives back.
    plain = _plain(json.loads(json.dumps({"kind": kind, **fields})))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_content(event: Any) -> dict[str, Any]:
    return {
        "demand": event.demand_id,
        "seq": event.seq,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "department": event.department_id,
        "reason": event.reason,
        "data": event.data,
        "is_public": bool(event.is_public),
        "created_at": _moment(event.created_at),
        "prev_hash": event.prev_hash,
    }


def disclosure_content(disclosure: Any) -> dict[str, Any]:
    return {
        "demand": disclosure.demand_id,
        "seq": disclosure.seq,
        "user": disclosure.user_id,
        "purpose": disclosure.purpose,
        "created_at": _moment(disclosure.created_at),
        "prev_hash": disclosure.prev_hash,
    }


CONTENT = {"event": event_content, "disclosure": disclosure_content}


def row_hash(kind: str, row: Any) -> str:
    return hmac.new(chain_key(), _canonical(kind, CONTENT[kind](row)), hashlib.sha256).hexdigest()


def kind_of(model: type[Model]) -> str:
    return "event" if model._meta.model_name == "demandevent" else "disclosure"


def _lock_demands(demand_ids: Iterable[int]) -> None:
    from demands.models import Demand

    # In id order, so two writers locking several demands cannot deadlock on each other.
    list(Demand.objects.select_for_update().filter(pk__in=set(demand_ids)).order_by("pk").values_list("pk"))


def _heads(model: Any, demand_ids: Iterable[int]) -> dict[int, tuple[int, str, datetime]]:
    """The last row of each demand's chain: (seq, row_hash, created_at)."""
    ids = set(demand_ids)
    last = dict(
        model._default_manager.filter(demand_id__in=ids)
        .values("demand_id")
        .annotate(last=Max("seq"))
        .values_list("demand_id", "last")
    )
    heads: dict[int, tuple[int, str, datetime]] = {}
    if last:
        rows = model._default_manager.filter(demand_id__in=last, seq__in=set(last.values())).values_list(
            "demand_id", "seq", "row_hash", "created_at"
        )
        for demand_id, seq, digest, created_at in rows:
            if last[demand_id] == seq:
                heads[demand_id] = (seq, digest, created_at)
    return heads


# Two servers' clocks may disagree by a little, and two writers of one demand may each take "now"
# before the other commits: a row that much behind its predecessor takes the predecessor's time
# (the order is the chain's). Further back is a backdated record and refused.
CLOCK_SKEW = timedelta(seconds=2)


def _require_the_writing_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit rows are chained inside the transaction that writes them.")


def seal(rows: Sequence[Any], *, late_is_now: bool = False) -> None:
    """Give unsaved rows of one model (events or disclosures) their place in their demands'
    chains, in the order given: `seq`, `prev_hash` and `row_hash`. Locks the demands; call it in
    the transaction that inserts the rows, right before inserting them. `late_is_now` is for the
    system's own batches (the deadline sweep), whose moment was taken when the batch began: a row
    behind its predecessor takes the predecessor's time instead of being refused."""
    if not rows:
        return
    model: Any = type(rows[0])
    kind = kind_of(model)
    _require_the_writing_transaction()
    _lock_demands(row.demand_id for row in rows)
    heads = _heads(model, (row.demand_id for row in rows))
    for row in rows:
        seq, previous, previous_at = heads.get(row.demand_id, (0, GENESIS, None))
        if previous_at is not None and row.created_at < previous_at:
            if not late_is_now and row.created_at < previous_at - CLOCK_SKEW:
                raise BackdatedRecord(
                    _("记录时间 %(at)s 早于该诉求上一条记录的时间 %(previous)s，不能补记到过去。")
                    % {"at": _moment(row.created_at), "previous": _moment(previous_at)}
                )
            row.created_at = previous_at
        row.seq = seq + 1
        row.prev_hash = previous
        row.row_hash = row_hash(kind, row)
        heads[row.demand_id] = (row.seq, row.row_hash, row.created_at)


def seal_first(row: Any) -> None:
    """Make an unsaved row the first of its demand's chain, for a demand inserted in this very
    transaction: no other writer can see that demand yet, so there is no chain to lock or read
    (`seal` would spend three statements finding that out on every submission). Should the demand
    have a row after all, the database refuses this one (one row per place, and the link check)."""
    _require_the_writing_transaction()
    row.seq = 1
    row.prev_hash = GENESIS
    row.row_hash = row_hash(kind_of(type(row)), row)


# --- Checkpoints ----------------------------------------------------------------------------------

MODELS = {"event": "DemandEvent", "disclosure": "ContactDisclosure"}


def _model(kind: str) -> Any:
    from demands import models

    return getattr(models, MODELS[kind])


def _sign(fields: dict[str, Any]) -> str:
    return hmac.new(chain_key(), _canonical("checkpoint", fields), hashlib.sha256).hexdigest()


def _checkpoint_fields(checkpoint: Any) -> dict[str, Any]:
    return {
        "created_at": _moment(checkpoint.created_at),
        "event_count": checkpoint.event_count,
        "event_last_id": checkpoint.event_last_id,
        "disclosure_count": checkpoint.disclosure_count,
        "disclosure_last_id": checkpoint.disclosure_last_id,
        "heads_digest": checkpoint.heads_digest,
        "prev_signature": checkpoint.prev_signature,
    }


def _head_line(kind: str, demand_id: int, seq: int, record_id: int, digest: str) -> str:
    return f"{kind}:{demand_id}:{seq}:{record_id}:{digest}"


def _heads_digest(previous_digest: str, lines: list[str]) -> str:
    return hashlib.sha256("\n".join([previous_digest, *sorted(lines)]).encode()).hexdigest()


def _recorded_heads() -> dict[tuple[str, int], tuple[int, int, str, datetime]]:
    """The latest head each checkpoint recorded per (kind, demand): seq, id, hash, when."""
    from demands.models import AuditCheckpointHead

    heads: dict[tuple[str, int], tuple[int, int, str, datetime]] = {}
    rows = AuditCheckpointHead.objects.order_by("checkpoint_id").values_list(
        "kind", "demand_id", "seq", "record_id", "row_hash", "checkpoint__created_at"
    )
    for kind, demand_id, seq, record_id, digest, at in rows.iterator(chunk_size=5000):
        if seq >= heads.get((kind, demand_id), (0,))[0]:
            heads[(kind, demand_id)] = (seq, record_id, digest, at)
    return heads


def checkpoint_write(*, now: datetime | None = None) -> Any:
    """Record the chains' state: counts, last ids, and every chain head that moved since the last
    checkpoint, digested together with the digest before and signed with the chain key. A chain
    found shorter than a checkpoint once recorded is not recorded again (that would hide the
    loss); verify_audit_log names it."""
    from django.utils import timezone

    from demands.models import AuditCheckpoint, AuditCheckpointHead

    with transaction.atomic():
        previous = AuditCheckpoint.objects.select_for_update().order_by("-pk").first()
        recorded = _recorded_heads()
        heads: list[tuple[str, int, int, int, str]] = []
        figures: dict[str, int] = {}
        for kind in MODELS:
            model = _model(kind)
            rows = model._default_manager.all()
            totals = rows.aggregate(count=Count("pk"), last=Max("pk"))
            figures[f"{kind}_count"], figures[f"{kind}_last_id"] = totals["count"], totals["last"] or 0
            current = dict(rows.values("demand_id").annotate(last=Max("seq")).values_list("demand_id", "last"))
            moved = {d: s for d, s in current.items() if s > recorded.get((kind, d), (0,))[0]}
            for ids in _chunks(list(moved), 1000):
                for demand_id, seq, pk, digest in rows.filter(demand_id__in=ids).values_list(
                    "demand_id", "seq", "pk", "row_hash"
                ):
                    if moved[demand_id] == seq:
                        heads.append((kind, demand_id, seq, pk, digest))
        checkpoint = AuditCheckpoint(
            created_at=now or timezone.now(),
            heads_digest=_heads_digest(previous.heads_digest if previous else "", [_head_line(*h) for h in heads]),
            prev_signature=previous.signature if previous else "",
            **figures,
        )
        checkpoint.signature = _sign(_checkpoint_fields(checkpoint))
        checkpoint.save()
        AuditCheckpointHead.objects.bulk_create(
            (
                AuditCheckpointHead(checkpoint=checkpoint, kind=k, demand_id=d, seq=s, record_id=pk, row_hash=h)
                for k, d, s, pk, h in heads
            ),
            batch_size=5000,
        )
    return checkpoint


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "event", "disclosure" or "checkpoint"
    record_id: int | None
    tracking_number: str
    problem: str

    def __str__(self) -> str:
        what = {"event": _("事件"), "disclosure": _("联系方式查看记录"), "checkpoint": _("校验点")}[self.kind]
        number = f" · {self.tracking_number}" if self.tracking_number else ""
        record = f" #{self.record_id}" if self.record_id is not None else ""
        return f"{what}{record}{number}: {self.problem}"


@dataclass
class Report:
    findings: list[Finding]
    rows: dict[str, int]
    chains: dict[str, int]
    checkpoints: int
    last_checkpoint: datetime | None

    @property
    def intact(self) -> bool:
        return not self.findings


def _number(demand_id: int) -> str:
    from demands.models import Demand

    return Demand.objects.filter(pk=demand_id).values_list("tracking_number", flat=True).first() or f"#{demand_id}"


def _walk(
    kind: str, recorded: dict[tuple[str, int], tuple[int, int, str, datetime]]
) -> tuple[Finding | None, int, int]:
    """The first break in any chain of this kind, and how many rows and chains were read. A
    recorded checkpoint head met on the way is ticked off; those never met are missing."""
    model = _model(kind)
    finding: Finding | None = None
    count = chains = 0
    demand_id, expected, previous, previous_at = None, 1, GENESIS, None
    rows = model._default_manager.order_by("demand_id", "seq", "pk")
    for row in rows.iterator(chunk_size=5000):
        count += 1
        if row.demand_id != demand_id:
            chains += 1
            demand_id, expected, previous, previous_at = row.demand_id, 1, GENESIS, None
        head = recorded.get((kind, row.demand_id))
        if head is not None and head[0] == row.seq:
            recorded.pop((kind, row.demand_id))
            if (row.pk, row.row_hash) != (head[1], head[2]) and finding is None:
                finding = Finding(kind, row.pk, _number(row.demand_id), _("与校验点记录的链头不符（被替换）。"))
        if finding is None:
            problem = None
            if row.seq > expected:
                problem = _("之前缺少第 %(first)s–%(last)s 条（被删除）。") % {"first": expected, "last": row.seq - 1}
            elif row.seq < expected:
                problem = _("链中序号重复（被插入）。")
            elif row_hash(kind, row) != row.row_hash:
                problem = _("内容与其哈希不符（被修改）。")
            elif row.prev_hash != previous:
                problem = _("与前一条记录的哈希不衔接（被插入或调换顺序）。")
            elif previous_at is not None and row.created_at < previous_at:
                problem = _("时间早于前一条记录（顺序被调换或补记到过去）。")
            if problem:
                finding = Finding(kind, row.pk, _number(row.demand_id), problem)
        expected, previous, previous_at = row.seq + 1, row.row_hash, row.created_at
    return finding, count, chains


def verify() -> Report:
    """Walk every chain and check it against the checkpoints: the first break of each kind."""
    from demands.models import AuditCheckpoint

    findings: list[Finding] = []
    previous: Any = None
    for checkpoint in AuditCheckpoint.objects.order_by("pk").prefetch_related("heads"):
        lines = [_head_line(h.kind, h.demand_id, h.seq, h.record_id, h.row_hash) for h in checkpoint.heads.all()]
        expected_prev = previous.signature if previous else ""
        if checkpoint.prev_signature != expected_prev:
            findings.append(Finding("checkpoint", checkpoint.pk, "", _("之前的校验点缺失或被替换。")))
            break
        if _sign(_checkpoint_fields(checkpoint)) != checkpoint.signature or checkpoint.heads_digest != _heads_digest(
            previous.heads_digest if previous else "", lines
        ):
            findings.append(Finding("checkpoint", checkpoint.pk, "", _("签名不符（校验点被修改）。")))
            break
        previous = checkpoint
    recorded = _recorded_heads()
    rows: dict[str, int] = {}
    chains: dict[str, int] = {}
    for kind in MODELS:
        finding, rows[kind], chains[kind] = _walk(kind, recorded)
        missing = sorted((head[3], head[1], demand_id) for (k, demand_id), head in recorded.items() if k == kind)
        if missing and finding is None:
            at, record_id, demand_id = missing[0]
            finding = Finding(
                kind,
                record_id,
                _number(demand_id),
                _("%(at)s 的校验点记录了它，现已不存在（被删除）。") % {"at": f"{at:%Y-%m-%d %H:%M}"},
            )
        if previous is not None and finding is None:
            model = _model(kind)
            last_id, count = getattr(previous, f"{kind}_last_id"), getattr(previous, f"{kind}_count")
            now = model._default_manager.filter(pk__lte=last_id).count()
            if now < count:
                finding = Finding(
                    kind,
                    None,
                    "",
                    _("最近的校验点记录了 %(then)s 条（编号至 %(last)s），现只有 %(now)s 条（被删除）。")
                    % {"then": count, "last": last_id, "now": now},
                )
        if finding is not None:
            findings.append(finding)
    return Report(findings, rows, chains, AuditCheckpoint.objects.count(), previous.created_at if previous else None)
