"""Finding what identifies a client in a consultation's free-text note (DESIGN §3: no patient name,
contact or diagnosis, ever): e-mail addresses, phone numbers and dates of birth.

Names cannot be told from words reliably, so the form warns against them; these three have shapes.
A count ("20 минут", "2 консультации"), a year alone or a year range ("2019–2020") is not refused.
"""
import re
from datetime import date

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Written dates with a year: 12.03.1980, 12/03/80, 1980-03-12, 12-03-1980.
DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})\s?([./])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d.])")
DASHED_DATE = re.compile(r"(?<!\d)(\d{1,2})-(\d{1,2})-(\d{4})(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")

# "д.р.", "г.р.", "дата рождения", BG "дата на раждане", "роден(а)", PL "ur.", "data urodzenia", EN "DOB", "born".
BIRTH_WORDS = re.compile(
    r"(?<!\w)(?:[дг]\.\s?р\.|дата\s+рожд|год\s+рожд|дата\s+на\s+раждане|роден[аио]?(?!\w)"
    r"|ur\.\s?\d|data\s+urodzenia|urodzon[yaie]|date\s+of\s+birth|dob(?!\w)|born(?!\w))",
    re.IGNORECASE)

# A run of digits with the separators phone numbers are written with: +7 (927) 123-45-67, 0888 123 456.
PHONE_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-‐–]{4,}\d(?!\w)")


def _real_date(day: str, month: str, year: str) -> bool:
    full_year = int(year) if len(year) == 4 else 1900 + int(year)
    try:
        date(full_year, int(month), int(day))
    except ValueError:
        return False
    return True


def has_birth_date(text: str) -> bool:
    if BIRTH_WORDS.search(text):
        return True
    if any(_real_date(m[1], m[3], m[4]) for m in DOTTED_DATE.finditer(text)):
        return True
    if any(_real_date(m[1], m[2], m[3]) for m in DASHED_DATE.finditer(text)):
        return True
    return any(_real_date(m[3], m[2], m[1]) for m in ISO_DATE.finditer(text))


def has_phone(text: str) -> bool:
    """Nine digits or more in one run, or seven or eight written as a local number (123-45-67)."""
    for match in PHONE_RUN.finditer(text):
        run = match.group().strip()
        digits = sum(ch.isdigit() for ch in run)
        groups = len(re.findall(r"\d+", run))
        if digits >= 9:
            return True
        if 7 <= digits <= 8 and groups >= 3 and re.search(r"[-‐–()]", run):
            return True
    return False


def identity_in(text: str) -> str | None:
    """What in `text` identifies a person: "email", "birth_date", "phone", or None."""
    if EMAIL.search(text):
        return "email"
    if has_birth_date(text):
        return "birth_date"
    if has_phone(text):
        return "phone"
    return None
