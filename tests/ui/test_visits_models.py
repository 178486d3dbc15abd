"""The Visits screen's item models on hand-made service dataclasses: Qt's model tester on every
model through resets, what each cell says (a word with every colour), the headers of a week with a
bank holiday and officers off duty, and the due list's s96B flag."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtTest import QAbstractItemModelTester

from desktop.rules.time_bands import LONDON
from desktop.services.visits import DayPlan, DueVisit, VisitView, WeekPlan
from ui.visits import texts
from ui.visits.models import DUE_ROLE, VISIT_ROLE, DayModel, DueModel, WeekModel

MONDAY = dt.date(2024, 8, 26)  # the summer bank holiday
NOW = dt.datetime(2024, 8, 28, 9, 0, tzinfo=dt.UTC)  # Wednesday 10:00 in England


def view(n: int, day: dt.date, hour: int, **extra: object) -> VisitView:
    base: dict[str, object] = dict(
        visit_id=n,
        version=1,
        offender_id=100 + n,
        reference=f"ZZ/2020/{n:06d}",
        name=f"Person{n} Surname",
        at=dt.datetime.combine(day, dt.time(hour, 30), tzinfo=LONDON),
        band="morning" if hour < 12 else ("afternoon" if hour < 17 else "evening"),
        officers=("ada", "bram"),
        officer_names=("Ada Quillfeather", "Bramwell Tiddlecombe"),
        announced=False,
        announced_reason="",
        outcome="planned",
        record_state="draft",
        postcode_district="ZZ3",
        window_start=MONDAY,
        window_end=MONDAY + dt.timedelta(days=20),
    )
    base.update(extra)
    return VisitView(**base)  # type: ignore[arg-type]


def week(*visits: VisitView, off: dict[int, list[str]] | None = None) -> WeekPlan:
    days = []
    for n in range(7):
        day = MONDAY + dt.timedelta(days=n)
        days.append(
            DayPlan(
                date=day,
                bank_holiday=n == 0,
                off_duty=(off or {}).get(n, []),
                visits=[v for v in visits if v.at.date() == day],
            )
        )
    return WeekPlan(week_start=MONDAY, officer="ada", team="Alder", days=days)


def checked(model):
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning, model)
    return model


def test_week_model_columns_rows_and_empty_days() -> None:
    model = checked(WeekModel())
    assert (model.rowCount(), model.columnCount()) == (0, 0)
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    plan = week(
        view(1, tuesday, 9),
        view(2, tuesday, 18, announced=True, announced_reason="Works away."),
        view(3, wednesday, 8, outcome="completed", record_state="approved"),
        off={1: ["Ada Quillfeather", "Cora Pennywhistle"], 2: ["Cora Pennywhistle"]},
    )
    model.set_week(plan, NOW, "Ada Quillfeather")
    assert (model.rowCount(), model.columnCount()) == (2, 7)
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert heads[0] == "Monday\n26/08/2024\nBank holiday"
    assert heads[1] == "Tuesday\n27/08/2024\nOff duty"  # Ada's own week: she is off
    assert heads[2] == "Wednesday\n28/08/2024\n"  # only Cora is off: not Ada's concern here
    assert heads[6] == "Sunday\n01/09/2024\nNo routine visits"
    tip = model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Off duty: Ada Quillfeather, Cora Pennywhistle." in tip and "2 visits." in tip

    assert model.index(0, 0).data() == "No visits\n(bank holiday)"
    assert model.index(1, 0).data() == ""
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsSelectable
    assert model.index(1, 1).data(VISIT_ROLE).visit_id == 2
    assert model.index(1, 1).data().splitlines()[-1] == (
        "Announced · Planned: outcome not yet recorded"
    )
    done = model.index(0, 2)
    assert done.data().splitlines()[-1] == "Unannounced · Completed, record approved"
    assert isinstance(done.data(Qt.ItemDataRole.BackgroundRole), QBrush)
    spoken = model.index(0, 1).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("Tuesday 27/08/2024 at 09:30, morning. ZZ/2020/000001")
    assert model.position_of(3) == (0, 2) and model.position_of(99) is None
    assert model.visit_count == 3

    # the team's week counts who is off instead
    model.set_week(plan, NOW, None)
    assert model.headerData(1, Qt.Orientation.Horizontal).endswith("2 off duty")
    model.set_week(None, NOW)
    assert (model.rowCount(), model.columnCount()) == (0, 0)


def test_states_in_words_and_tones() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    cases = {
        "Planned: outcome not yet recorded": view(1, tuesday, 9),
        "Planned": view(2, MONDAY + dt.timedelta(days=3), 9),
        "No access, record not submitted": view(3, tuesday, 9, outcome="no_access"),
        "Completed, awaiting approval": view(
            4, tuesday, 9, outcome="completed", record_state="submitted"
        ),
        "Completed, record returned": view(
            5, tuesday, 9, outcome="completed", record_state="returned"
        ),
        "Cancelled": view(6, tuesday, 9, outcome="cancelled"),
    }
    tones = {text: texts.visit_state(v, NOW) for text, v in cases.items()}
    assert {text: shown for text, (shown, _tone) in tones.items()} == {t: t for t in cases}
    assert [tone for _text, tone in tones.values()] == [
        "warn",
        "",
        "alert",
        "info",
        "alert",
        "muted",
    ]


def test_day_model_spells_out_each_visit() -> None:
    model = checked(DayModel())
    thursday = MONDAY + dt.timedelta(days=3)
    outside = view(
        7,
        thursday,
        19,
        window_start=MONDAY + dt.timedelta(days=10),
        outside_window_reason="Only day both officers are free.",
    )
    model.set_visits([view(1, thursday, 9), outside], NOW)
    assert model.rowCount() == 2 and model.columnCount() == 6
    row = [model.index(1, c).data() for c in range(6)]
    assert row[0] == "19:30 evening"
    assert row[2] == "Ada Quillfeather, Bramwell Tiddlecombe"
    assert row[3] == "Routine, unannounced"
    assert row[4] == "05/09/2024 to 15/09/2024 (outside)"
    assert row[5] == "Planned"
    assert model.index(1, 4).data(Qt.ItemDataRole.ToolTipRole) == (
        "Outside the window: Only day both officers are free."
    )
    assert model.index(1, 4).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, 0).data(VISIT_ROLE).visit_id == 7
    assert model.row_of(7) == 1
    model.set_visits([], NOW)
    assert model.rowCount() == 0


def test_due_model_flags_a_warrant_with_word_icon_and_colour() -> None:
    model = checked(DueModel())
    flagged = DueVisit(
        offender_id=1,
        reference="ZZ/2018/002209",
        name="Horatio Fiddlesticks",
        manager="Ada Quillfeather",
        window_start=MONDAY,
        window_end=MONDAY + dt.timedelta(days=6),
        reason="overdue",
        last_seen=dt.date(2024, 5, 12),
        overdue=True,
        planned_visit=None,
        due=dt.date(2024, 6, 12),
        failed_attempts=2,
        warrant_consideration=True,
    )
    first = replace(
        flagged,
        offender_id=2,
        reference="ZZ/2024/000001",
        name="Mortimer Wobblebottom",
        manager="",
        reason="pre_sentence",
        purpose="pre_sentence",
        overdue=False,
        last_seen=None,
        failed_attempts=0,
        warrant_consideration=False,
        planned_visit=view(9, MONDAY + dt.timedelta(days=2), 18),
    )
    model.set_due([flagged, first])
    assert model.rowCount() == 2 and model.columnCount() == 8
    row = [model.index(0, c).data() for c in range(8)]
    assert row[3] == "Overdue since 12/06/2024"
    assert row[4] == "26/08/2024 to 01/09/2024"
    assert row[5] == "12/05/2024"
    assert row[6] == "Consider s96B warrant"
    assert row[7] == "Not planned"
    warrant = model.index(0, 6)
    assert warrant.data(Qt.ItemDataRole.DecorationRole) is not None
    assert isinstance(warrant.data(Qt.ItemDataRole.ForegroundRole), QBrush)
    assert warrant.data(Qt.ItemDataRole.ToolTipRole).startswith("2 failed attempts in a row.")
    assert warrant.data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Consider s96B warrant: 2 failed attempts in a row"
    )
    assert model.index(0, 0).data(DUE_ROLE).offender_id == 1
    second = [model.index(1, c).data() for c in range(8)]
    assert second[2] == "Unallocated"
    assert second[3] == "Before sentence"
    assert model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole) == (
        "The before sentence visit is due by 12/06/2024."
    )
    assert second[5] == "Never seen"
    assert second[6] == "None"
    assert second[7] == "28/08/2024 18:30"
    assert model.index(1, 7).data(Qt.ItemDataRole.ToolTipRole) == (
        "Wed 28/08/2024 18:30 (evening) with Ada Quillfeather and Bramwell Tiddlecombe. "
        "Unannounced."
    )
    assert model.row_of(2) == 1
    model.set_due([])
    assert model.rowCount() == 0
