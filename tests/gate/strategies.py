"""Hostile input for the fuzzers: the values people and bots actually send (issue 11's list)."""
import os

from hypothesis import strategies as st

# `make fuzz` raises the budget; `make test` keeps CI well under its time limit.
BUDGET = int(os.environ.get("FUZZ_EXAMPLES", "4"))

NASTY = [
    "", " ", "\t\n", "я" * 5000, "a" * 100_000, "\x00", "abc\x00def", "Самара\u0000",
    "Ελληνικά Кириллица Latin 中文", "עִבְרִית", "\u202eevil\u202c", "مرحبا بالعالم", "👩‍⚕️🩺💉", "🏳️‍🌈" * 50,
    "0000-00-00", "0001-01-01", "31.02.2027", "2027-02-31", "2027-13-01", "9999-12-31T23:59:59+14:00",
    "2027-03-01T25:61", "-1", "0", "-0", "1e309", "NaN", "inf", str(10**20), str(-(10**20)), "2147483648",
    "1.5", "true", "null", "[]", "{}", "'; DROP TABLE users; --", "<script>alert(1)</script>", "%s%n",
    "../../etc/passwd", "RU-SAM", "XX-YY", "seminar", "outreach_trip", "confirmed", "admin",
    "Europe/Samara", "Mars/Olympus", "https://meet.example.org/x", "javascript:alert(1)",
]

scalar = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**21), max_value=10**21).map(str),
    st.dates().map(lambda d: d.isoformat()),
)
value = st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))


def fields_dict(names: list[str]):
    """A dict of some of `names` (and one stray name) to hostile values."""
    if not names:
        return st.dictionaries(st.sampled_from(["x", "page"]), value, max_size=2)
    keys = st.sampled_from(sorted(names) + ["unexpected_field"])
    return st.dictionaries(keys, value, min_size=1, max_size=len(names) + 1)


# Issue 20.8's classes, sent to EVERY route and API body as explicit examples (whatever the budget):
# a NUL byte, integers past INTEGER (2**31) and past BIGINT (10**20), and JSON nested 100,000 deep.
NUL_TEXT = "Самара\x00"
OVERSIZED_INTS = (2**31, 10**20)
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def hostile_examples(names: list[str]) -> list[dict]:
    """Every named field (or `q` and `page` when none is known) set at once to each hostile value."""
    keys = sorted(names) or ["q", "page"]
    return [{key: NUL_TEXT for key in keys}] + [{key: str(number) for key in keys} for number in OVERSIZED_INTS]
