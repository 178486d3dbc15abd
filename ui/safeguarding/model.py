"""The PPN lists' look: the grade drawn as a coloured chip with its word (in a table cell or a
label), and the Safeguarding screen's filter over a loaded list, in Python over precomputed
lowercase keys (STYLE: filter without calling back into the services)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.safeguarding import texts

if TYPE_CHECKING:
    from desktop.services.ppns import PpnSummary

GRADE_WORDS = {texts.grade_label(g): g for g in texts.GRADES}


class GradeChipDelegate(QStyledItemDelegate):
    """Paints a grade cell ("Red", "Amber", "Green") as a rounded chip in the grade's colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        text = str(index.data() or "")
        grade = GRADE_WORDS.get(text)
        if grade is None:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            plain = QStyleOptionViewItem(option)
            self.initStyleOption(plain, index)
            plain.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        fg, bg = texts.GRADE_COLOURS[grade]
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 18
        height = metrics.height() + 4
        rect = QRectF(
            option.rect.x() + 6,
            option.rect.y() + (option.rect.height() - height) / 2,
            min(width, option.rect.width() - 8),
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(fg))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(  # noqa: N802 (Qt's name)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> Any:
        size = super().sizeHint(option, index)
        size.setWidth(size.width() + 24)
        return size


def grade_chip(label: QLabel, grade: str) -> None:
    """A label shown as the grade's chip, with its word."""
    fg, bg = texts.GRADE_COLOURS.get(grade, ("#000000", "#eceff2"))
    label.setText(texts.grade_label(grade))
    label.setStyleSheet(
        f"QLabel {{ color: {fg}; background: {bg}; border-radius: 9px; padding: 1px 10px; "
        "font-weight: bold; }"
    )


@dataclass(frozen=True)
class PpnFilter:
    """What the screen shows of a loaded list: a stage filter ("open" is every stage but
    closed; "" every stage), a grade ("" any), and words to find."""

    stage: str = texts.OPEN
    grade: str = ""
    text: str = ""

    def stage_matches(self, p: PpnSummary, stage: str | None = None) -> bool:
        wanted = self.stage if stage is None else stage
        if wanted == texts.OPEN:
            return p.stage != "closed"
        return not wanted or p.stage == wanted


def search_key(p: PpnSummary) -> str:
    """Reference, offender, concern and the people concerned, lower case: what the search box
    finds (as the service's own `text` filter does)."""
    names = " ".join(s.name for s in p.subjects)
    return f"{p.reference} {p.offender_name} {p.concern} {names}".lower()


def apply(items: Sequence[PpnSummary], keys: Sequence[str], f: PpnFilter) -> list[PpnSummary]:
    words = f.text.lower().split()
    return [
        p
        for p, key in zip(items, keys, strict=True)
        if f.stage_matches(p)
        and (not f.grade or p.grade == f.grade)
        and all(w in key for w in words)
    ]


def counts(items: Iterable[PpnSummary], keys: Sequence[str], f: PpnFilter) -> dict[str, int]:
    """How many each stage filter would show with the grade and words chosen."""
    words = f.text.lower().split()
    shown = [
        p
        for p, key in zip(items, keys, strict=True)
        if (not f.grade or p.grade == f.grade) and all(w in key for w in words)
    ]
    result = {stage: sum(1 for p in shown if p.stage == stage) for stage in texts.STAGES}
    result[texts.OPEN] = sum(1 for p in shown if p.stage != "closed")
    result[""] = len(shown)
    return result
