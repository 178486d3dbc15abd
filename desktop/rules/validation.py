"""Checking what a person typed: dates, postcodes, text lengths, and bank details that must not be
kept.

Every function takes the raw text and either returns the parsed value or raises `InvalidField`
(field name and a sentence for the person); none raises anything else, whatever the text. `Form`
collects the problems of a whole edit so a service can report every bad field at once.

Bank, card and passport details are given at notification but must not be stored in local systems,
so `find_bank_details` looks in free text for a payment card number (13-19 digits, written whole or
in groups, that pass the Luhn check), a sort code with an account number, or a passport number
next to the word "passport".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

NOT_STORED = "Bank, card and passport details must not be stored in Pillars."
CARD_MESSAGE = f"This looks like a payment card number. {NOT_STORED}"
BANK_MESSAGE = f"This looks like a sort code and bank account number. {NOT_STORED}"
PASSPORT_MESSAGE = f"This looks like a passport number. {NOT_STORED}"

EARLIEST_DATE = dt.date(1900, 1, 1)
# No date a person types in Pillars is this far ahead; a later year is a typing slip (31/12/9999),
# and refusing it here keeps every service's date arithmetic (a review 12 months on, a clock's
# deadline) inside the calendar.
LATEST_DATE = dt.date(2199, 12, 31)
DATE_HINT = "dd/mm/yyyy, for example 31/01/1985"
SCAN_LIMIT = 20_000  # characters searched for bank details in a text too long to keep anyway


class InvalidField(ValueError):
    """One field's problem: `field` is the edit's attribute name, `message` a sentence."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# -- text ---------------------------------------------------------------------------------------


def clean_text(text: str | None, *, multiline: bool = False) -> str:
    """`text` without control characters, unpaired surrogates or NULs (PostgreSQL refuses them),
    trimmed of white space and of invisible format characters (zero-width space, byte order
    mark, bidi marks) at either end; a single-line value has its runs of white space made one
    space. Text with nothing visible in it is empty, so a required field is not satisfied by a
    zero-width space."""
    if not text:
        return ""
    kept: list[str] = []
    for ch in str(text):
        category = unicodedata.category(ch)
        if ch in "\n\t" and multiline:
            kept.append(ch)
        elif ch == "\r":
            continue
        elif category in ("Cc", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            kept.append(" " if category == "Cc" or ch in "\u2028\u2029" else "")
        else:
            kept.append(ch)
    cleaned = "".join(kept)
    if multiline:
        cleaned = "\n".join(line.rstrip() for line in cleaned.split("\n"))
    else:
        cleaned = " ".join(cleaned.split())
    return _trimmed(cleaned)


def _trimmed(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    kept = text[start:end]
    return kept if any(unicodedata.category(ch)[0] in "LMNPS" for ch in kept) else ""


def _blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def excerpt(text: str, limit: int = 20) -> str:
    """What a person typed, short enough to quote back in a message: at most `limit` characters
    and "…", its digits masked when it holds bank, card or passport details, so that a refusal
    never repeats them (DESIGN section 3: they must not be kept, and messages are shown and
    logged)."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    if find_bank_details(text[:SCAN_LIMIT]) or find_bank_details(shown):
        shown = re.sub("[0-9]", "•", shown)
    return shown


def check_text(
    text: str | None,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    label: str | None = None,
) -> str:
    """The cleaned text, refused when required and empty, too long, or holding bank details."""
    what = label or field.replace("_", " ")
    value = clean_text(text, multiline=multiline)
    if required and not value:
        raise InvalidField(field, f"Enter the {what}.")
    # Bank details first: that is the message the person must see, whatever the length (a
    # text far too long to keep is refused for its length without the slower search).
    problem = find_bank_details(value) if len(value) <= max(max_length, SCAN_LIMIT) else None
    if problem is not None:
        raise InvalidField(field, problem)
    if len(value) > max_length:
        raise InvalidField(
            field, f"The {what} is {len(value)} characters long; it can be at most {max_length}."
        )
    return value


def check_lines(
    text: str | None, field: str, *, max_length: int, label: str | None = None
) -> list[str]:
    """One value per non-empty line (aliases), each checked like `check_text`, no repeats."""
    values: list[str] = []
    for line in clean_text(text, multiline=True).split("\n"):
        value = check_text(line, field, max_length=max_length, label=label)
        if value and value.casefold() not in {v.casefold() for v in values}:
            values.append(value)
    return values


# -- dates --------------------------------------------------------------------------------------

_DMY = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})", re.ASCII)
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_SHORT_YEAR = re.compile(r"[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2}", re.ASCII)


def parse_date(
    text: str | None,
    field: str,
    *,
    required: bool,
    not_after: dt.date | None = None,
    not_before: dt.date | None = EARLIEST_DATE,
    label: str | None = None,
) -> dt.date | None:
    """A date typed as dd/mm/yyyy (also d/m/yyyy, dd.mm.yyyy, dd-mm-yyyy) or ISO yyyy-mm-dd.
    Empty gives None unless `required`; a date after LATEST_DATE is refused, whatever
    `not_after` says."""
    what = label or field.replace("_", " ")
    value = clean_text(text)
    if not value:
        if required:
            raise InvalidField(field, f"Enter the {what} as {DATE_HINT}.")
        return None
    shown = excerpt(value)
    if _SHORT_YEAR.fullmatch(value):
        raise InvalidField(field, f"Write the year of the {what} in full, as {DATE_HINT}.")
    if match := _DMY.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise InvalidField(field, f"“{shown}” is not a date: enter the {what} as {DATE_HINT}.")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise InvalidField(field, f"“{shown}” is not a day in the calendar.") from None
    if not_before is not None and parsed < not_before:
        raise InvalidField(
            field, f"The {what} {_dmy(parsed)} is before {_dmy(not_before)}; check the year."
        )
    if not_after is not None and parsed > not_after:
        raise InvalidField(
            field, f"The {what} {_dmy(parsed)} is after {_dmy(not_after)}; it cannot be later."
        )
    if parsed > LATEST_DATE:
        raise InvalidField(
            field, f"The {what} {_dmy(parsed)} is after {_dmy(LATEST_DATE)}; check the year."
        )
    return parsed


def _dmy(day: dt.date) -> str:
    """dd/mm/yyyy, the year in four digits even before 1000 (strftime's %Y is not, on Linux)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


# -- postcodes ----------------------------------------------------------------------------------

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})", re.ASCII)


def normalise_postcode(text: str | None, field: str = "postcode") -> str:
    """A UK postcode in its standard form ("zz34qt" → "ZZ3 4QT"; GIR 0AA too). The fictional
    "ZZ" area passes: it has the shape of a real postcode."""
    typed = clean_text(text)
    compact = "".join(typed.split()).upper()
    if not compact:
        raise InvalidField(field, "Enter the postcode, for example ZZ3 4QT.")
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.fullmatch(compact)
    if match is None:
        # quoted as compacted, unless that would run a card number into the digits after it
        shown = excerpt(typed if find_bank_details(typed[:SCAN_LIMIT]) else compact, 12)
        raise InvalidField(field, f"“{shown}” is not a full UK postcode; enter it like ZZ3 4QT.")
    return f"{match.group(1)} {match.group(2)}"


# -- bank, card and passport details ------------------------------------------------------------

_DIGIT_RUN = re.compile(r"[0-9](?:[ \-]?[0-9])+", re.ASCII)
_SORT_CODE = re.compile(r"(?<![0-9])[0-9]{2}[ \-][0-9]{2}[ \-][0-9]{2}(?![0-9])", re.ASCII)
_LABELLED_SORT_CODE = re.compile(
    r"sort\s*-?\s*code\W{0,5}[0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}(?![0-9])", re.ASCII | re.I
)
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{8}(?![0-9])", re.ASCII)
_LABELLED_ACCOUNT = re.compile(
    r"(?:account|acc|a/c)\.?\s*(?:number|no|num)?\.?\W{0,5}[0-9]{8}(?![0-9])", re.ASCII | re.I
)
_PASSPORT = re.compile(r"passport\D{0,30}(?<![0-9])[0-9]{9}(?![0-9])", re.ASCII | re.I)
_NEAR = 60  # characters between a sort code and an account number for them to count as a pair


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = ord(ch) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card_in(groups: list[str]) -> bool:
    """Whether the digit groups of one run (split at its spaces or hyphens) hold 13-19 digits,
    starting and ending on a group boundary and not starting with 0, that pass the Luhn check.
    Whole groups only: "5 4539 1488 0343 6467" holds a card, but a 16-digit number that fails
    the check is not searched for a shorter one inside it."""
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > 19:
                break
            if len(digits) >= 13 and digits[0] != "0" and luhn_valid(digits):
                return True
    return False


def find_bank_details(text: str | None) -> str | None:
    """The refusal message when `text` holds a card number, a sort code with an account number,
    or a passport number; None when it holds none. An IMEI (a phone's serial, also Luhn-valid)
    written after the word "IMEI" is allowed."""
    if not text:
        return None
    for match in _DIGIT_RUN.finditer(text):
        run = match.group()
        if len(run) < 13:
            continue
        before = text[max(0, match.start() - 20) : match.start()].lower()
        if "imei" in before:
            continue
        if _card_in(re.split(r"[ \-]", run)):
            return CARD_MESSAGE
    if _LABELLED_SORT_CODE.search(text) or _LABELLED_ACCOUNT.search(text):
        return BANK_MESSAGE
    sort_codes = [m.span() for m in _SORT_CODE.finditer(text)]
    if sort_codes:
        for account in _ACCOUNT.finditer(text):
            a_start, a_end = account.span()
            for s_start, s_end in sort_codes:
                gap = a_start - s_end if a_start >= s_end else s_start - a_end
                if 0 <= gap <= _NEAR:
                    return BANK_MESSAGE
    if _PASSPORT.search(text):
        return PASSPORT_MESSAGE
    return None


# -- collecting every problem of an edit --------------------------------------------------------


@dataclass
class Form:
    """Runs the checks of one edit and keeps every problem (the first per field), so the person
    sees everything to fix at once. Each method returns the value, or an empty one on error."""

    problems: list[InvalidField] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, field_name: str, message: str) -> None:
        if not any(p.field == field_name for p in self.problems):
            self.problems.append(InvalidField(field_name, message))

    def has(self, field_name: str) -> bool:
        return any(p.field == field_name for p in self.problems)

    def text(
        self,
        field_name: str,
        value: str | None,
        *,
        max_length: int,
        required: bool = False,
        multiline: bool = False,
        label: str | None = None,
    ) -> str:
        try:
            return check_text(
                value,
                field_name,
                max_length=max_length,
                required=required,
                multiline=multiline,
                label=label,
            )
        except InvalidField as problem:
            self.add(problem.field, problem.message)
            return ""

    def lines(
        self, field_name: str, value: str | None, *, max_length: int, label: str | None = None
    ) -> list[str]:
        try:
            return check_lines(value, field_name, max_length=max_length, label=label)
        except InvalidField as problem:
            self.add(problem.field, problem.message)
            return []

    def date(
        self,
        field_name: str,
        value: str | None,
        *,
        required: bool,
        not_after: dt.date | None = None,
        not_before: dt.date | None = EARLIEST_DATE,
        label: str | None = None,
    ) -> dt.date | None:
        try:
            return parse_date(
                value,
                field_name,
                required=required,
                not_after=not_after,
                not_before=not_before,
                label=label,
            )
        except InvalidField as problem:
            self.add(problem.field, problem.message)
            return None

    def postcode(self, field_name: str, value: str | None) -> str:
        try:
            return normalise_postcode(value, field_name)
        except InvalidField as problem:
            self.add(problem.field, problem.message)
            return ""

    def choice(self, field_name: str, value: str | None, options: dict[str, str]) -> str:
        """One of `options` (stored value → label), matched on value or label, any case."""
        typed = clean_text(value).casefold()
        for stored, shown in options.items():
            if typed in (stored.casefold(), shown.casefold()):
                return stored
        listed = ", ".join(options.values())
        self.add(field_name, f"Choose one of: {listed}.")
        return ""

    def order(self, earlier: str, later: str, start: dt.date | None, end: dt.date | None) -> None:
        """Refuse an end date before its start date."""
        if start is not None and end is not None and end < start and not self.has(later):
            self.add(
                later,
                f"The {later.replace('_', ' ')} {end:%d/%m/%Y} is before the "
                f"{earlier.replace('_', ' ')} {start:%d/%m/%Y}.",
            )
