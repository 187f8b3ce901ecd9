"""Parse a feed with four independent parsers and return what each understood.

icalendar and vobject are the Python parsers; ical.js (Thunderbird, web apps) and node-ical
run in node from tests/calendar/parse_ics.mjs. Each result is a list of dicts with uid,
summary, start/end as aware UTC datetimes and the TZID of DTSTART.
"""
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import vobject
from icalendar import Calendar

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("parse_ics.mjs")


def check_rfc5545_lines(body: bytes) -> None:
    """Every line ends in CRLF and is folded to at most 75 octets (RFC 5545 §3.1)."""
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line


def with_icalendar(body: bytes) -> list[dict]:
    calendar = Calendar.from_ical(body)
    return [{
        "uid": str(event["UID"]),
        "summary": str(event["SUMMARY"]),
        "start": event.start.astimezone(UTC),
        "end": event.end.astimezone(UTC),
        "tzid": event["DTSTART"].params.get("TZID"),
        "sequence": int(event.get("SEQUENCE", 0)),
        "status": str(event.get("STATUS", "")),
    } for event in calendar.walk("VEVENT")]


def with_vobject(body: bytes) -> list[dict]:
    calendar = vobject.readOne(body.decode("utf-8"))
    return [{
        "uid": event.uid.value,
        "summary": event.summary.value,
        "start": event.dtstart.value.astimezone(UTC),
        "end": event.dtend.value.astimezone(UTC),
        "tzid": vobject.icalendar.TimezoneComponent.pickTzid(event.dtstart.value.tzinfo),
    } for event in getattr(calendar, "vevent_list", [])]


def with_javascript(body: bytes, tmp_path: Path) -> dict[str, list[dict]]:
    node = shutil.which("node")
    require_service(node is not None and (ROOT / "node_modules" / "ical.js").exists()
                    and (ROOT / "node_modules" / "node-ical").exists(),
                    "node with ical.js and node-ical (npm ci in the project root) is needed")
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    done = subprocess.run([node, str(SCRIPT), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    parsed = json.loads(done.stdout)
    for events in parsed.values():
        for event in events:
            event["start"] = datetime.fromisoformat(event["start"].replace("Z", "+00:00"))
            event["end"] = datetime.fromisoformat(event["end"].replace("Z", "+00:00"))
    return parsed


def parse_everywhere(body: bytes, tmp_path: Path) -> list[dict]:
    """All four parsers accept the feed and agree on every entry's uid, times and timezone."""
    check_rfc5545_lines(body)
    reference = with_icalendar(body)
    javascript = with_javascript(body, tmp_path)
    results = {"vobject": with_vobject(body), "ical.js": javascript["icaljs"], "node-ical": javascript["nodeical"]}

    def key(event):
        return (event["uid"], event["start"], event["end"], event["tzid"])

    expected = sorted(key(e) for e in reference)
    for name, events in results.items():
        assert sorted(key(e) for e in events) == expected, name
    summaries = {e["uid"]: e["summary"] for e in reference}
    for e in javascript["icaljs"]:
        assert e["summary"] == summaries[e["uid"]]
    return reference
