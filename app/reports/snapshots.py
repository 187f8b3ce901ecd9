"""Frozen, dated snapshots of a report, and the comparison of two reports."""
import hashlib
import json

from flask_babel import lazy_ngettext
from sqlalchemy import select

from app import clock
from app.accounts.models import User
from app.database import row_or_not_found, unit_of_work
from app.errors import FieldErrors
from app.extensions import db
from app.programmes.models import Programme
from app.reports import report
from app.reports.models import ReportSnapshot

LABEL_MAX = 200


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def freeze(programme: Programme, actor: User, label: str = "") -> ReportSnapshot:
    """Store the live report as it is now; the row is never changed afterwards."""
    label = (label or "").strip()
    errors = FieldErrors()
    if len(label) > LABEL_MAX:
        errors.add("label", lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", LABEL_MAX))
    errors.raise_if_any()
    now = clock.now()
    data = report.build(programme.id, now=now)
    with unit_of_work():
        snapshot = ReportSnapshot(programme_id=programme.id, label=label, frozen_at=now, frozen_by_id=actor.id,
                                  data=data, sha256=digest(data))
        db.session.add(snapshot)
    return snapshot


def snapshots_of(programme: Programme) -> list[ReportSnapshot]:
    return list(db.session.execute(
        select(ReportSnapshot).where(ReportSnapshot.programme_id == programme.id)
        .order_by(ReportSnapshot.frozen_at.desc(), ReportSnapshot.id.desc())
    ).scalars())


def snapshot_in(programme: Programme, snapshot_id: int) -> ReportSnapshot:
    """A snapshot through its programme: another programme's id is a 404."""
    return row_or_not_found(ReportSnapshot, snapshot_id, programme_id=programme.id)


def is_intact(snapshot: ReportSnapshot) -> bool:
    return digest(snapshot.data) == snapshot.sha256


def compare(before: dict, after: dict) -> list[dict]:
    """Indicator rows of two reports side by side (matched by indicator id, then by name)."""
    def key(row):
        return row.get("id") or row["name"]

    old = {key(row): row for row in before["indicators"]}
    rows = []
    for row in after["indicators"]:
        previous = old.pop(key(row), None)
        rows.append(_pair(previous, row))
    rows.extend(_pair(previous, None) for previous in old.values())
    return rows


def _pair(before: dict | None, after: dict | None) -> dict:
    fact_before = before["fact"] if before else None
    fact_after = after["fact"] if after else None
    delta = fact_after - fact_before if fact_before is not None and fact_after is not None else None
    return {
        "name": (after or before)["name"],
        "unit": (after or before)["unit"],
        "plan_before": before["plan"] if before else None,
        "plan_after": after["plan"] if after else None,
        "fact_before": fact_before,
        "fact_after": fact_after,
        "percent_before": before["percent"] if before else None,
        "percent_after": after["percent"] if after else None,
        "delta": delta,
    }
