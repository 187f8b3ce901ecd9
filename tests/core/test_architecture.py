"""The seam holds: one unit of work owns every commit and rollback."""
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# The unit of work itself, and the last-resort 500 handler that discards a broken request's session.
ALLOWED = {"database.py", "errors.py"}
TRANSACTION_CALL = re.compile(r"\.(commit|rollback)\(\)")


def test_no_commit_or_rollback_outside_the_unit_of_work():
    offenders = [f"{path.relative_to(APP)}:{number}: {line.strip()}"
                 for path in sorted(APP.rglob("*.py")) if path.name not in ALLOWED or path.parent != APP
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if TRANSACTION_CALL.search(line)]
    assert offenders == []
