"""Bulk import of participants: a pasted or uploaded table (CSV or XLSX) becomes registrations through
`manual.add_participant`, the same service and rules as adding one person by hand (capacity and the
waitlist, the per-region and per-organisation limits, a new account invited by mail to set a password).

All or nothing, like pretix's import: the preview runs every row in one transaction and rolls it back,
so each row shows what would happen or what is wrong; saving runs them again in one transaction and
commits only when no row fails (then the mails go, from the outbox, in each person's language).
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from app.accounts import services as accounts
from app.errors import DomainError, ValidationFailed
from app.events.models import Event, TeamRole
from app.registrations.manual import add_participant
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.states import unit

COLUMNS = ("email", "full_name", "organisation", "region", "role")
ALIASES = {"name": "full_name", "full name": "full_name", "e-mail": "email", "organization": "organisation",
           "region_code": "region", "team_role": "role"}
MAX_BYTES = 1024 * 1024
MAX_ROWS = 500

IMPORT_MESSAGES = {
    "empty": _l("Paste a table or choose a file."),
    "type": _l("Upload a .csv or .xlsx file (other types are not read)."),
    "size": _l("The file is larger than %(size)d KB.", size=MAX_BYTES // 1024),
    "unreadable": _l("The file could not be read as a table."),
    "encoding": _l("Save the CSV file as UTF-8."),
    "header": _l("The first row names the columns; it needs at least email (also: full_name, organisation, "
                 "region, role)."),
    "rows": _l("At most %(count)d rows at once.", count=MAX_ROWS),
    "no_rows": _l("The table has no rows under its header."),
    "role": _l("Unknown role."),
    "twice": _l("This email is in the table twice."),
}


class _Preview(Exception):
    """Raised inside the unit of work to roll the preview (or a failed import) back."""


@dataclass
class ImportRow:
    line: int
    values: dict
    status: RegistrationStatus | None = None
    new_account: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[ImportRow]
    saved: bool = False

    @property
    def failed(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    def count(self, status: RegistrationStatus) -> int:
        return sum(1 for row in self.rows if row.status == status and not row.errors)

    @property
    def new_accounts(self) -> int:
        return sum(1 for row in self.rows if row.new_account and not row.errors)


# --- reading the table ----------------------------------------------------------------------

def _cells_from_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(IMPORT_MESSAGES["encoding"], field="file") from None
    return _cells_from_text(text)


def _cells_from_text(text: str) -> list[list[str]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


def _cells_from_xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValidationFailed(IMPORT_MESSAGES["unreadable"], field="file") from error
    try:
        rows = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            cells = ["" if value is None else str(value).strip() for value in values]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def read_upload(filename: str, data: bytes) -> list[list[str]]:
    """An uploaded file's cells: .csv/.txt (UTF-8, comma, semicolon or tab) or .xlsx (read-only)."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(IMPORT_MESSAGES["size"], field="file")
    name = (filename or "").lower()
    if name.endswith((".csv", ".txt")) and not data.startswith(b"PK\x03\x04"):
        return _cells_from_csv(data)
    if name.endswith(".xlsx") and data.startswith(b"PK\x03\x04"):
        return _cells_from_xlsx(data)
    raise ValidationFailed(IMPORT_MESSAGES["type"], field="file")


def read_text(text: str) -> list[list[str]]:
    if len(text.encode()) > MAX_BYTES:
        raise ValidationFailed(IMPORT_MESSAGES["size"], field="table")
    return _cells_from_text(text)


def table_rows(cells: list[list[str]], field_name: str = "table") -> list[ImportRow]:
    """The header names the columns (any order; unknown ones are ignored); each further row is a person."""
    if not cells:
        raise ValidationFailed(IMPORT_MESSAGES["empty"], field=field_name)
    header = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in cells[0]]
    if "email" not in header:
        raise ValidationFailed(IMPORT_MESSAGES["header"], field=field_name)
    if len(cells) == 1:
        raise ValidationFailed(IMPORT_MESSAGES["no_rows"], field=field_name)
    if len(cells) > MAX_ROWS + 1:
        raise ValidationFailed(IMPORT_MESSAGES["rows"], field=field_name)
    rows = []
    for line, cells_of_row in enumerate(cells[1:], start=2):
        values = {name: "" for name in COLUMNS}
        for name, value in zip(header, cells_of_row, strict=False):
            if name in values:
                values[name] = " ".join((value or "").split())
        rows.append(ImportRow(line=line, values=values))
    return rows


def as_csv(rows: list[ImportRow]) -> str:
    """The rows as the CSV text the confirmation form carries back (what was previewed is what is saved)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.values[name] for name in COLUMNS])
    return out.getvalue()


# --- running it -----------------------------------------------------------------------------

def _role(value: str) -> str | None:
    if not value:
        return None
    for role in TeamRole:
        if value.casefold() in (role.value, str(role.label).casefold()):
            return role.value
    raise ValidationFailed(IMPORT_MESSAGES["role"], field="role")


def _region(value: str) -> str | None:
    return value.strip().upper() or None


def import_participants(event: Event, actor, rows: list[ImportRow], *, save: bool) -> ImportResult:
    """Run every row through `add_participant` in one unit of work. With `save` and no failing row the
    unit commits (the outbox then mails each person); otherwise it is rolled back and nothing is kept:
    the result says, row by row, what would happen or what is wrong."""
    seen: set[str] = set()
    try:
        with unit():
            for row in rows:
                email = row.values["email"].strip().lower()
                if email in seen:
                    row.errors.append(str(IMPORT_MESSAGES["twice"]))
                    continue
                seen.add(email)
                try:
                    row.new_account = accounts.find_user_by_email(email) is None
                    registration: Registration = add_participant(
                        event, actor, email=row.values["email"], full_name=row.values["full_name"],
                        team_role=_role(row.values["role"]), region_code=_region(row.values["region"]),
                        organisation=row.values["organisation"], follow_rules=True)
                    row.status = registration.status
                except DomainError as error:
                    row.errors.append(str(error.message))
            if not save or any(row.errors for row in rows):
                raise _Preview
    except _Preview:
        return ImportResult(rows=rows, saved=False)
    return ImportResult(rows=rows, saved=True)
