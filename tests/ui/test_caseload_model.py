"""The caseload item model: Qt's model tester, filtering, quick filters, sorting, and what the
overdue and breach cells say (a word as well as a colour)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView

from desktop.services.caseload import CaseloadRow, search_key
from ui.caseload.model import (
    COLUMN_INDEX,
    OFFENDER_ID_ROLE,
    QUICK_FILTERS,
    CaseloadModel,
    TableCells,
)
from ui.widgets import palette

ON = dt.date(2024, 6, 12)


def row(i: int, **extra: object) -> CaseloadRow:
    name = extra.pop("name", f"Person{i} Surname{i:03d}")
    aliases = extra.pop("aliases", [])
    postcode = extra.pop("postcode", f"ZZ{i % 9 + 1} {i % 7}AB")
    reference = extra.pop("reference", f"ZZ/2020/{i:06d}")
    base = dict(
        offender_id=i,
        reference=reference,
        name=name,
        aliases="; ".join(aliases),
        postcode=postcode,
        risk_level="low",
        mappa_category=1,
        mappa_level=1,
        status="community",
        manager="Ada Quillfeather",
        manager_id=1,
        last_seen=ON - dt.timedelta(days=30),
        next_visit_due=ON + dt.timedelta(days=60),
        visit_overdue=False,
        arms_review_due=ON + dt.timedelta(days=100),
        arms_overdue=False,
        open_tasks=0,
        breaches=0,
        released_on=None,
        reactive_management=False,
        search_key=search_key(reference, name, aliases, postcode),
        surname=name.split()[-1],
    )
    base.update(extra)
    return CaseloadRow(**base)  # type: ignore[arg-type]


ROWS = [
    row(
        1,
        name="Zebedee Plimsoll",
        aliases=["Zeb Plimsoll"],
        postcode="ZZ3 4QT",
        risk_level="high",
        visit_overdue=True,
        next_visit_due=ON - dt.timedelta(days=5),
    ),
    row(
        2, name="Quentin Marrowfat", risk_level="low", reactive_management=True, next_visit_due=None
    ),
    row(
        3,
        name="Horatio Grubb",
        risk_level="very_high",
        breaches=2,
        arms_overdue=True,
        arms_review_due=ON - dt.timedelta(days=40),
        open_tasks=3,
    ),
    row(4, name="Barnaby Crumb", status="custody", next_visit_due=None, risk_level="medium"),
    row(
        5,
        name="Cuthbert Fumble",
        released_on=ON - dt.timedelta(days=10),
        risk_level=None,
        last_seen=None,
        arms_review_due=None,
    ),
    row(6, name="Ignatius Pocket", released_on=ON - dt.timedelta(days=45)),
]


@pytest.fixture
def model(qapp) -> CaseloadModel:
    """A model watched by Qt's own tester: any broken promise of the model is a Qt warning, and
    a Qt warning fails the test."""
    m = CaseloadModel()
    QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Warning, m)
    m.set_rows(ROWS, ON)
    return m


def names(m: CaseloadModel) -> list[str]:
    return [m.index(r, COLUMN_INDEX["name"]).data() for r in range(m.rowCount())]


def cell(m: CaseloadModel, name: str, column: str, role: int = Qt.ItemDataRole.DisplayRole):
    r = names(m).index(name)
    return m.index(r, COLUMN_INDEX[column]).data(role)


def test_model_passes_qt_model_tester_through_every_change(model: CaseloadModel) -> None:
    model.set_filter_text("pl")
    model.set_quick_filters(["visit_overdue"])
    model.set_quick_filters([])
    model.sort(COLUMN_INDEX["risk"], Qt.SortOrder.DescendingOrder)
    model.set_filter_text("")
    model.set_rows(ROWS[:2], ON)
    model.set_rows([], ON)
    assert model.rowCount() == 0


def test_qtmodeltester_checks(qtmodeltester) -> None:
    m = CaseloadModel()
    m.set_rows(ROWS, ON)
    qtmodeltester.check(m, force_py=True)


def test_sorted_by_surname_at_first(model: CaseloadModel) -> None:
    assert names(model) == [
        "Barnaby Crumb",
        "Cuthbert Fumble",
        "Horatio Grubb",
        "Quentin Marrowfat",
        "Zebedee Plimsoll",
        "Ignatius Pocket",
    ]


def test_filter_matches_name_alias_reference_and_postcode(model: CaseloadModel) -> None:
    model.set_filter_text("zeb p")
    assert names(model) == ["Zebedee Plimsoll"]
    model.set_filter_text("ZZ34QT")  # the postcode without its space
    assert names(model) == ["Zebedee Plimsoll"]
    model.set_filter_text("zz/2020/000003")
    assert names(model) == ["Horatio Grubb"]
    model.set_filter_text("  ")
    assert model.rowCount() == len(ROWS)
    model.set_filter_text("nobody by that name")
    assert model.rowCount() == 0


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("visit_overdue", {"Zebedee Plimsoll"}),
        ("breach", {"Horatio Grubb"}),
        ("high_risk", {"Zebedee Plimsoll", "Horatio Grubb"}),
        ("custody", {"Barnaby Crumb"}),
        ("released", {"Cuthbert Fumble"}),
    ],
)
def test_each_quick_filter(model: CaseloadModel, key: str, expected: set[str]) -> None:
    model.set_quick_filters([key])
    assert set(names(model)) == expected


def test_quick_filters_and_text_narrow_together(model: CaseloadModel) -> None:
    model.set_quick_filters(["high_risk", "breach"])
    assert names(model) == ["Horatio Grubb"]
    model.set_filter_text("zeb")
    assert names(model) == []


def test_overdue_and_breach_cells_carry_a_word_and_a_colour(model: CaseloadModel) -> None:
    assert cell(model, "Zebedee Plimsoll", "next_visit") == "OVERDUE 07/06/2024"
    alert = palette.FOREGROUND["alert"]
    assert (
        cell(model, "Zebedee Plimsoll", "next_visit", Qt.ItemDataRole.ForegroundRole).color().name()
        == alert
    )
    assert cell(model, "Zebedee Plimsoll", "next_visit", Qt.ItemDataRole.DecorationRole) is not None
    assert cell(model, "Horatio Grubb", "breaches") == "2 breaches"
    assert (
        cell(model, "Horatio Grubb", "breaches", Qt.ItemDataRole.ForegroundRole).color().name()
        == alert
    )
    assert cell(model, "Horatio Grubb", "arms") == "OVERDUE 03/05/2024"
    assert cell(model, "Ignatius Pocket", "breaches") == "None"
    assert cell(model, "Ignatius Pocket", "next_visit", Qt.ItemDataRole.ForegroundRole) is None


def test_cells_speak_in_words(model: CaseloadModel) -> None:
    assert cell(model, "Horatio Grubb", "risk") == "Very high"
    assert cell(model, "Cuthbert Fumble", "risk") == "Not assessed"
    assert cell(model, "Cuthbert Fumble", "last_seen") == "Never seen"
    assert cell(model, "Cuthbert Fumble", "arms") == "No ARMS"
    assert cell(model, "Quentin Marrowfat", "next_visit") == "Reactive"
    assert cell(model, "Barnaby Crumb", "status") == "In custody"
    assert cell(model, "Barnaby Crumb", "next_visit") == "Not due (in custody)"
    assert cell(model, "Zebedee Plimsoll", "mappa") == "C1 / L1"
    assert cell(model, "Zebedee Plimsoll", "last_seen") == "13/05/2024"
    assert cell(model, "Zebedee Plimsoll", "name", Qt.ItemDataRole.ToolTipRole) == (
        "Also known as: Zeb Plimsoll"
    )
    assert cell(model, "Horatio Grubb", "name", OFFENDER_ID_ROLE) == 3


def test_sort_by_risk_keeps_persistent_indexes(model: CaseloadModel) -> None:
    held = QPersistentModelIndex(model.index(names(model).index("Horatio Grubb"), 0))
    model.sort(COLUMN_INDEX["risk"], Qt.SortOrder.DescendingOrder)
    assert names(model)[:2] == ["Horatio Grubb", "Zebedee Plimsoll"]
    assert held.isValid() and held.row() == 0
    model.sort(COLUMN_INDEX["next_visit"], Qt.SortOrder.AscendingOrder)
    assert names(model)[0] == "Zebedee Plimsoll"  # the overdue one first
    assert model.index(0, 0).parent() == QModelIndex()


_rows = st.lists(
    st.builds(
        lambda i, risk, overdue, breaches, status, word: row(
            i,
            name=f"{word.title()} Surname{i:03d}",
            risk_level=risk,
            visit_overdue=overdue,
            breaches=breaches,
            status=status,
        ),
        st.integers(1, 10_000),
        st.sampled_from([None, "low", "medium", "high", "very_high"]),
        st.booleans(),
        st.integers(0, 3),
        st.sampled_from(["community", "custody", "hospital", "abroad"]),
        st.text("abcxyz", min_size=1, max_size=6),
    ),
    max_size=30,
    unique_by=lambda r: r.offender_id,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_rows,
    needle=st.text("abcxyz ", max_size=4),
    quick=st.sets(st.sampled_from([q.key for q in QUICK_FILTERS])),
)
def test_filtering_is_exactly_the_predicates(qapp, rows, needle, quick) -> None:
    m = CaseloadModel()
    m.set_rows(rows, ON)
    m.set_filter_text(needle)
    m.set_quick_filters(sorted(quick))
    tests = [q.test for q in QUICK_FILTERS if q.key in quick]
    words = needle.lower().split()
    expected = {
        r.offender_id
        for r in rows
        if all(w in r.search_key for w in words) and all(t(r, ON) for t in tests)
    }
    shown = {m.index(i, 0).data(OFFENDER_ID_ROLE) for i in range(m.rowCount())}
    assert shown == expected
    assert m.rowCount() == len(expected)


def test_replacing_rows_keeps_filter(model: CaseloadModel) -> None:
    model.set_filter_text("grubb")
    model.set_rows([*ROWS, replace(ROWS[2], offender_id=99, reference="ZZ/2020/000099")], ON)
    assert names(model) == ["Horatio Grubb", "Horatio Grubb"]


def test_multi_data_gives_what_data_gives(model: CaseloadModel) -> None:
    """The view paints through multiData (one call per cell); it must agree with data()."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    roles = [
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.CheckStateRole,
        OFFENDER_ID_ROLE,
    ]
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for role in roles:
                holder = QModelRoleData(int(role))
                model.multiData(index, QModelRoleDataSpan(holder))
                expected = model.data(index, role)
                got = holder.data()
                if expected is None:
                    assert got is None, (r, c, role)
                elif isinstance(expected, QIcon):
                    assert got.cacheKey() == expected.cacheKey(), (r, c, role)
                else:
                    assert got == expected, (r, c, role)


def test_quality_cell_says_the_score_and_colours_a_low_one() -> None:
    model = CaseloadModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(
        [row(1, quality_score=100), row(2, quality_score=45, quality_findings=5), row(3)],
        ON,
    )
    column = COLUMN_INDEX["quality"]
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, column).data() for r in range(3)] == ["45%", "100%", "100%"]
    low = model.index(0, column)
    assert low.data(Qt.ItemDataRole.ForegroundRole).color().name() == palette.FOREGROUND["alert"]
    assert "5 findings" in low.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, column).data(Qt.ItemDataRole.ForegroundRole) is None


def test_warrant_consideration_says_s96b_and_has_its_own_quick_filter() -> None:
    """Two failed visits in a row: the last-seen cell says s96B in the alert colour, with the
    date and the count in its tooltip, and the quick filter finds exactly those offenders."""
    model = CaseloadModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    flagged = row(
        1,
        name="Horatio Grubb",
        last_seen=ON - dt.timedelta(days=200),
        failed_attempts=2,
        warrant_consideration=True,
    )
    model.set_rows([flagged, row(2, name="Zebedee Plimsoll", failed_attempts=1)], ON)
    assert cell(model, "Horatio Grubb", "last_seen") == "s96B"
    assert (
        cell(model, "Horatio Grubb", "last_seen", Qt.ItemDataRole.ForegroundRole).color().name()
        == palette.FOREGROUND["alert"]
    )
    tip = cell(model, "Horatio Grubb", "last_seen", Qt.ItemDataRole.ToolTipRole)
    assert "Not seen since 25/11/2023: 2 failed visits in a row" in tip and "s96B" in tip
    assert cell(model, "Zebedee Plimsoll", "last_seen") == "13/05/2024"

    model.set_quick_filters(["warrant"])
    assert names(model) == ["Horatio Grubb"]


@settings(max_examples=40, deadline=None)
@given(
    rows=_rows,
    steps=st.lists(
        st.tuples(
            st.text("abcxyz ", max_size=4),
            st.sets(st.sampled_from([q.key for q in QUICK_FILTERS])),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_typing_and_deleting_always_shows_exactly_the_predicates(qapp, rows, steps) -> None:
    """The filter reuses recent answers and narrows the rows shown; after any sequence of filter
    texts and quick filters the rows are still exactly those the predicates pass, in order."""
    m = CaseloadModel()
    m.set_rows(rows, ON)
    order = [m.row_at(i).offender_id for i in range(m.rowCount())]
    for needle, quick in steps:
        m.set_filter_text(needle)
        m.set_quick_filters(sorted(quick))
        tests = [q.test for q in QUICK_FILTERS if q.key in quick]
        words = needle.lower().split()
        expected = [
            oid
            for oid in order
            if all(w in by_id(rows, oid).search_key for w in words)
            and all(t(by_id(rows, oid), ON) for t in tests)
        ]
        assert [m.row_at(i).offender_id for i in range(m.rowCount())] == expected


def by_id(rows: list, offender_id: int):
    return next(r for r in rows if r.offender_id == offender_id)


def test_typing_a_word_letter_by_letter_and_back(model: CaseloadModel) -> None:
    everyone = names(model)
    shown = []
    for text in ["p", "pl", "pli", "pl", "p", "", "p", "po"]:
        model.set_filter_text(text)
        shown.append(names(model))
    p_names = ["Zebedee Plimsoll", "Ignatius Pocket"]
    zeb = ["Zebedee Plimsoll"]
    assert shown == [p_names, zeb, zeb, zeb, p_names, everyone, p_names, ["Ignatius Pocket"]]
    model.sort(COLUMN_INDEX["name"], Qt.SortOrder.DescendingOrder)  # a new order: search again
    assert names(model) == ["Ignatius Pocket"]
    model.set_filter_text("p")
    assert names(model) == p_names[::-1]


def test_a_keystroke_that_keeps_the_same_rows_does_not_reset_the_table(model: CaseloadModel):
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_filter_text("p")
    assert names(model) == ["Zebedee Plimsoll", "Ignatius Pocket"] and len(resets) == 1
    model.set_filter_text("p ")  # a space: the same words
    model.set_filter_text("p z")  # both have a "z" in their reference or postcode
    assert names(model) == ["Zebedee Plimsoll", "Ignatius Pocket"] and len(resets) == 1
    model.set_filter_text("pl")
    assert names(model) == ["Zebedee Plimsoll"] and len(resets) == 2


# -- the table's own items --------------------------------------------------------------------


def paint(view: QTableView) -> None:
    """Paint the view now (into a pixmap: an offscreen window may not be exposed yet)."""
    view.grab()


def table_of(qtbot, rows: list, height: int = 300) -> tuple[CaseloadModel, QTableView]:
    model = CaseloadModel()
    view = QTableView()
    qtbot.addWidget(view)
    TableCells(model, view)
    model.set_rows(rows, ON)
    view.resize(900, height)
    view.show()
    qtbot.waitExposed(view)
    return model, view


def cell_roles(index) -> tuple:  # noqa: ANN001
    roles = (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.FontRole,
    )
    values = [index.data(role) for role in roles]
    brush = index.data(Qt.ItemDataRole.ForegroundRole)
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    values.append(brush.color().name() if brush is not None else None)
    values.append(icon is not None)
    return tuple(values)


def test_the_table_paints_what_the_model_says(qtbot) -> None:
    model, view = table_of(qtbot, ROWS)
    cells = view.model()
    assert cells is not model and cells.rowCount() == model.rowCount() == len(ROWS)
    paint(view)
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            assert cell_roles(cells.index(r, c)) == cell_roles(model.index(r, c)), (r, c)
    assert cells.headerData(COLUMN_INDEX["arms"], Qt.Orientation.Horizontal) == "ARMS review\ndue"
    assert cells.flags(cells.index(0, 0)) == model.flags(model.index(0, 0))

    model.set_filter_text("grubb")
    paint(view)
    assert cells.rowCount() == 1
    assert cells.index(0, COLUMN_INDEX["breaches"]).data() == "2 breaches"


def test_rows_shown_again_read_as_the_model_says(qtbot) -> None:
    """A row's cells are worked out once and kept: shown again, at another place in the table,
    after another row held that place, each cell still reads as the model says."""
    model, view = table_of(qtbot, ROWS)
    cells = view.model()
    paint(view)
    for text in ("grubb", "", "plim", "p z", ""):
        model.set_filter_text(text)
        paint(view)
        assert cells.rowCount() == model.rowCount()
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                assert cell_roles(cells.index(r, c)) == cell_roles(model.index(r, c)), (text, r, c)


def test_rows_get_their_cells_when_they_come_into_view(qtbot) -> None:
    many = [row(i) for i in range(1, 401)]
    model, view = table_of(qtbot, many)
    cells = view.model()
    name = COLUMN_INDEX["name"]
    paint(view)
    assert cells.index(0, name).data() == model.index(0, name).data()
    assert cells.index(399, name).data() is None  # far below the window: no items made

    view.setFocus()
    view.setCurrentIndex(cells.index(0, name))
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    # the current cell reads right at once (a screen reader asks before the next paint)
    assert view.currentIndex().row() == 399
    assert cells.index(399, name).data() == model.index(399, name).data()
    paint(view)
    last_page = range(view.rowAt(0), 400)
    assert len(last_page) > 3
    for r in last_page:
        assert cells.index(r, name).data() == model.row_at(r).name


def test_sorting_the_table_sorts_the_model_and_keeps_the_chosen_row(qtbot) -> None:
    model, view = table_of(qtbot, ROWS)
    cells = view.model()
    view.selectRow(model.row_of(3))  # Horatio Grubb
    view.setSortingEnabled(True)
    view.sortByColumn(COLUMN_INDEX["risk"], Qt.SortOrder.DescendingOrder)
    assert names(model)[:2] == ["Horatio Grubb", "Zebedee Plimsoll"]
    paint(view)
    name = COLUMN_INDEX["name"]
    assert [cells.index(r, name).data() for r in range(cells.rowCount())] == names(model)
    assert view.currentIndex().row() == model.row_of(3) == 0
    assert view.selectionModel().isRowSelected(0)
