"""What a person types: dates, postcodes, text, and bank details that must never be kept."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import partial

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from desktop.rules import validation as v

# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("31/01/1985", dt.date(1985, 1, 31)),
        ("1/2/1985", dt.date(1985, 2, 1)),
        (" 01.02.1985 ", dt.date(1985, 2, 1)),
        ("01-02-1985", dt.date(1985, 2, 1)),
        ("1985-02-01", dt.date(1985, 2, 1)),
        ("29/02/2024", dt.date(2024, 2, 29)),
    ],
)
def test_dates_accepted(typed: str, expected: dt.date) -> None:
    assert v.parse_date(typed, "d", required=True) == expected


@pytest.mark.parametrize(
    "typed, words",
    [
        ("29/02/2023", "not a day in the calendar"),
        ("31/01/85", "in full"),
        ("01/13/1985", "not a day in the calendar"),
        ("tomorrow", "not a date"),
        ("1985/02/01", "not a date"),
        ("", "Enter the"),
        ("01/01/1899", "before 01/01/1900"),
    ],
)
def test_dates_refused(typed: str, words: str) -> None:
    with pytest.raises(v.InvalidField) as problem:
        v.parse_date(typed, "date_of_birth", required=True)
    assert problem.value.field == "date_of_birth"
    assert words in problem.value.message


def test_optional_date_and_latest_date() -> None:
    assert v.parse_date("  ", "d", required=False) is None
    today = dt.date(2024, 6, 12)
    assert v.parse_date("12/06/2024", "d", required=True, not_after=today) == today
    with pytest.raises(v.InvalidField, match="cannot be later"):
        v.parse_date("13/06/2024", "d", required=True, not_after=today)


# -- postcodes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("zz34qt", "ZZ3 4QT"),
        ("ZZ3 4QT", "ZZ3 4QT"),
        (" zz1  1aa ", "ZZ1 1AA"),
        ("z99 9zz", "Z99 9ZZ"),
        ("ZZ1A 1AA", "ZZ1A 1AA"),
        ("Z1A1AA", "Z1A 1AA"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_normalised(typed: str, expected: str) -> None:
    assert v.normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "ZZ1", "1ZZ 1AA", "ZZ1 AAA", "ZZZ1 1AA", "ZZ1 1A", "ZZ11 1AAA"]
)
def test_postcodes_refused(typed: str) -> None:
    with pytest.raises(v.InvalidField) as problem:
        v.normalise_postcode(typed)
    assert problem.value.field == "postcode"


# -- text ---------------------------------------------------------------------------------------


def test_text_is_cleaned() -> None:
    assert v.check_text("  Ada \t  Lovelace\n", "n", max_length=80) == "Ada Lovelace"
    assert v.check_text("a\x00b", "n", max_length=80) == "a b"
    assert v.check_text("line one  \r\nline two\n\n", "n", max_length=80, multiline=True) == (
        "line one\nline two"
    )
    with pytest.raises(v.InvalidField, match="Enter the surname"):
        v.check_text(" ", "surname", max_length=80, required=True)
    with pytest.raises(v.InvalidField, match="at most 3"):
        v.check_text("abcd", "x", max_length=3)


def test_lines_drop_blanks_and_repeats() -> None:
    assert v.check_lines("A\n\n a \nB\n", "aliases", max_length=10) == ["A", "B"]


def test_choice() -> None:
    form = v.Form()
    assert form.choice("kind", "Staying at", {"home": "Home", "stay": "Staying at"}) == "stay"
    assert form.choice("kind", "HOME", {"home": "Home", "stay": "Staying at"}) == "home"
    assert form.ok
    form.choice("kind", "boat", {"home": "Home", "stay": "Staying at"})
    assert [p.field for p in form.problems] == ["kind"]


# -- bank, card and passport details -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "card 4539 1488 0343 6467",
        "4539-1488-0343-6467",
        "paid with 4539148803436467 yesterday",
        "amex 3782 822463 10005",
        "sort code 12-34-56 account 12345678",
        "12 34 56 / 87654321",
        "acc no 12345678",
        "Sort code: 123456",
        "Passport no. 123456789",
        "his PASSPORT (expired) is 987654321",
    ],
)
def test_bank_details_found(text: str) -> None:
    assert v.find_bank_details(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ZZ/2019/004512 phone 07700 900123",
        "Seen on 12/03/2024 at 18:30; 2 children present.",
        "4539 1488 0343 6468",  # fails the Luhn check
        "IMEI 490154203237518",  # a phone's serial number, which is Luhn-valid
        "12-34-56 only",
        "reference 12345678 only",
        "passport seen, details not recorded",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    assert v.find_bank_details(text) is None


def test_messages_say_why() -> None:
    assert v.find_bank_details("4539 1488 0343 6467") == (
        "This looks like a payment card number. "
        "Bank, card and passport details must not be stored in Pillars."
    )
    assert "sort code" in (v.find_bank_details("12-34-56 12345678") or "")
    assert "passport" in (v.find_bank_details("passport 123456789") or "")


def _with_check_digit(body: str) -> str:
    for digit in "0123456789":
        if v.luhn_valid(body + digit):
            return body + digit
    raise AssertionError("unreachable")


card_numbers = st.builds(
    lambda first, rest: _with_check_digit(first + rest),
    st.sampled_from("23456"),
    st.integers(min_value=11, max_value=17).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    ),
)
separators = st.sampled_from(["", " ", "-"])
surrounding = st.text(max_size=40).filter(lambda t: "imei" not in t.lower())


@given(card=card_numbers, sep=separators, before=surrounding, after=surrounding)
@example(card="4539148803436467", sep=" ", before="5", after="9")
@example(card="4539148803436467", sep="-", before="12", after="-3")
def test_a_valid_card_number_in_any_text_is_refused(
    card: str, sep: str, before: str, after: str
) -> None:
    grouped = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
    text = f"{before} {grouped}\n{after}"  # a token of its own, as a person writes it
    assert v.find_bank_details(text) == v.CARD_MESSAGE
    with pytest.raises(v.InvalidField):
        v.check_text(text, "notes", max_length=10_000, multiline=True)


@given(st.text())
def test_validators_never_crash(text: str) -> None:
    for check in (
        lambda: v.parse_date(text, "d", required=False),
        lambda: v.parse_date(text, "d", required=True, not_after=dt.date(2024, 1, 1)),
        lambda: v.normalise_postcode(text),
        lambda: v.check_text(text, "t", max_length=50, required=True),
        lambda: v.check_text(text, "t", max_length=5000, multiline=True),
        lambda: v.check_lines(text, "t", max_length=20),
    ):
        try:
            result = check()
        except v.InvalidField as problem:
            assert problem.field in ("d", "t", "postcode") and problem.message
        else:
            assert result is None or isinstance(result, dt.date | str | list)
    assert v.find_bank_details(text) in (None, v.CARD_MESSAGE, v.BANK_MESSAGE, v.PASSPORT_MESSAGE)


@given(st.text())
def test_cleaned_text_is_storable(text: str) -> None:
    for multiline in (False, True):
        cleaned = v.clean_text(text, multiline=multiline)
        assert "\x00" not in cleaned
        assert cleaned == cleaned.strip()
        cleaned.encode("utf-8")  # no lone surrogates
        if not multiline:
            assert "\n" not in cleaned


@given(st.dates(min_value=v.EARLIEST_DATE, max_value=v.LATEST_DATE))
def test_dates_round_trip(day: dt.date) -> None:
    assert v.parse_date(day.strftime("%d/%m/%Y"), "d", required=True) == day
    assert v.parse_date(f"{day.day}/{day.month}/{day.year:04d}", "d", required=True) == day
    assert v.parse_date(day.isoformat(), "d", required=True) == day


@given(
    area=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2),
    district=st.integers(min_value=0, max_value=99),
    sector=st.integers(min_value=0, max_value=9),
    unit=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    spaces=st.sampled_from(["", " ", "  "]),
    lower=st.booleans(),
)
def test_postcode_shapes(
    area: str, district: int, sector: int, unit: str, spaces: str, lower: bool
) -> None:
    typed = f"{area}{district}{spaces}{sector}{unit}"
    typed = typed.lower() if lower else typed
    assert v.normalise_postcode(typed) == f"{area}{district} {sector}{unit}"


# -- properties of every validator under hostile input (issue #9 item 7) -------------------------

# every character there is, unpaired surrogates, controls and unassigned code points included
any_text = st.text(st.characters(exclude_categories=()))
CARD = "4539 1488 0343 6467"  # fictional, passes the Luhn check
date_like = st.one_of(
    st.builds(
        "{}{}{}{}{}".format,
        st.integers(-1, 99).map(str),
        st.sampled_from("/.-"),
        st.integers(-1, 99).map(str),
        st.sampled_from("/.-"),
        st.integers(0, 99999).map(str),
    ),
    st.sampled_from(["31/02/2024", "00/00/0000", "01/01/0001", "31/12/9999", "9999-12-31", CARD]),
    any_text,
)


def assert_sentence(problem: v.InvalidField) -> None:
    """A message for a person: a sentence, short, quoting no bank or card details back."""
    message = problem.message
    assert message == message.strip() and message.endswith("."), repr(message)
    assert message[0].isupper() or message[0] == "“", repr(message)
    assert len(message) <= 300, repr(message)
    assert v.find_bank_details(message) is None, message
    message.encode("utf-8")


@given(date_like, st.sampled_from([None, dt.date(2024, 6, 12)]))
@example("31/12/9999", None)
@example("01/01/0001", None)
@example(CARD, None)
def test_a_typed_date_is_a_day_in_range_or_a_clear_refusal(
    typed: str, latest: dt.date | None
) -> None:
    try:
        day = v.parse_date(typed, "day", required=True, not_after=latest)
    except v.InvalidField as problem:
        assert problem.field == "day"
        assert_sentence(problem)
    else:
        assert day is not None and v.EARLIEST_DATE <= day <= (latest or v.LATEST_DATE)
        # a day that far on still leaves room for a year of date arithmetic after it
        assert day.year < dt.MAXYEAR - 1


@given(before=surrounding, after=surrounding)
def test_refusals_never_repeat_bank_details(before: str, after: str) -> None:
    for typed in (f"{before} {CARD}\n{after}", f"{before} sort 12-34-56 12345678 {after}"):
        assert v.find_bank_details(typed) is not None
        for check in (
            partial(v.parse_date, field="d", required=True),
            v.normalise_postcode,
            partial(v.check_text, field="t", max_length=10, required=True),
        ):
            with pytest.raises(v.InvalidField) as problem:
                check(typed)
            assert "4539" not in problem.value.message
            assert "12345678" not in problem.value.message
            assert_sentence(problem.value)


@given(any_text, st.integers(min_value=1, max_value=30))
def test_an_excerpt_is_short_and_safe(text: str, limit: int) -> None:
    shown = v.excerpt(text, limit)
    assert len(shown) <= limit + 1
    assert v.find_bank_details(shown) is None


@given(any_text, st.booleans())
@example("\u200b", False)
@example(" \ufeff\u200f ", True)
@example("Ada\u200b ", False)
def test_cleaning_is_stable_and_leaves_something_visible_or_nothing(
    text: str, multiline: bool
) -> None:
    cleaned = v.clean_text(text, multiline=multiline)
    assert v.clean_text(cleaned, multiline=multiline) == cleaned
    if cleaned:
        assert any(unicodedata.category(ch)[0] in "LMNPS" for ch in cleaned)
        for edge in (cleaned[0], cleaned[-1]):
            assert not edge.isspace() and unicodedata.category(edge) != "Cf"
    assert all(unicodedata.category(ch) not in ("Cs", "Co", "Cn") for ch in cleaned)
    allowed = "\n\t" if multiline else ""
    assert all(unicodedata.category(ch) != "Cc" or ch in allowed for ch in cleaned)


@given(any_text, st.integers(min_value=1, max_value=60), st.booleans(), st.booleans())
@example("\u200b", 10, True, False)
@example("x" * 61, 60, False, False)
def test_checked_text_is_kept_only_when_storable(
    text: str, max_length: int, required: bool, multiline: bool
) -> None:
    try:
        value = v.check_text(
            text, "notes", max_length=max_length, required=required, multiline=multiline
        )
    except v.InvalidField as problem:
        assert problem.field == "notes"
        assert_sentence(problem)
    else:
        assert value == v.clean_text(text, multiline=multiline)
        assert len(value) <= max_length and v.find_bank_details(value) is None
        assert value or not required
        value.encode("utf-8")


@given(any_text)
def test_lines_are_distinct_clean_and_short(text: str) -> None:
    try:
        values = v.check_lines(text, "aliases", max_length=20)
    except v.InvalidField as problem:
        assert_sentence(problem)
    else:
        assert len({value.casefold() for value in values}) == len(values)
        assert all(value and value == v.clean_text(value) and len(value) <= 20 for value in values)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), any_text), max_size=6))
def test_a_form_never_raises_and_keeps_one_problem_per_field(
    typed: list[tuple[str, str]],
) -> None:
    form = v.Form()
    for field_name, text in typed:
        form.text(field_name, text, max_length=5, required=True)
        form.date(field_name, text, required=True)
        form.postcode(field_name, text)
        form.choice(field_name, text, {"yes": "Yes", "no": "No"})
    fields = [problem.field for problem in form.problems]
    assert len(fields) == len(set(fields))
    assert form.ok == (not fields)
    for problem in form.problems:
        assert_sentence(problem)
