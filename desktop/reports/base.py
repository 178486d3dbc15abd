"""What every printed Pillars document shares: the A4 page with its marking, running lines and
"Page x of y", readable paragraph styles, tables that split across pages, bookmarks.

DESIGN section 3 (Peer scrutiny) asks that every printed page be marked OFFICIAL-SENSITIVE and
show "page x of y", the team, the period and who printed it when; the Government Security
Classifications put the marking at the top and bottom centre of the page. Section 4 puts
reportlab here and nowhere else: the services import `desktop.reports` inside the function that
prints, so the app never pays for reportlab at start-up.

The renderer follows pretix's invoice renderer (STYLE.md, Reports): `Report` holds the page size
and margins as attributes, `STYLES` are the named paragraph styles, and the canvas knows the total
page count because it holds every page back until the document ends (`_NumberedCanvas`), so one
layout pass is enough. Bookmarks made while pages are held back are replayed with their page.

Readable at A4 (issue #8): body text 10 pt, table text 9.5 pt, nothing smaller except the running
lines. Long text in a table cell wraps instead of being clipped, and every table repeats its
header row on each page it runs onto. `headed` keeps a heading with the start of what follows it,
so no heading is left alone at the foot of a page.

Fast enough for a 20-record pack (issue #10: at most 1.5 times bare reportlab drawing the same
text), and looking exactly as reportlab's Paragraphs and Tables would: text is measured from a
table of the font's character widths (`text_width`); a cell's or a paragraph's text is broken
into lines where a Paragraph would break it, a line that fits only squeezed drawn squeezed
(`_lines`, `Squeezed`), and drawn without one (`Text`); tables get their cell styles and row
heights whole; and text, rules, fills and tick boxes are written into the page as PDF operators
(`TextWriter`, `TextTable`) rather than a canvas call each. The tests compare the result, run by
run and rule by rule, with reportlab's own Paragraphs and Tables.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.geomutils import normalizeTRBL
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFStreamFilterZCompress
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.tables import _SPECIALROWS, CellStyle
from reportlab.rl_config import _FUZZ

MARKING = "OFFICIAL-SENSITIVE"
ALL_TEAMS = "All teams"  # a document about every team (the force), not "Team All teams"
LONDON = ZoneInfo("Europe/London")
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm  # the marking and the document's title sit above the frame
MARGIN_BOTTOM = 24 * mm  # the running line, page number and marking sit below it
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
CELL_PADDING = 4  # points either side of a table cell's text

INK = colors.HexColor("#1a1a1a")
RULE = colors.HexColor("#8c8c8c")
HEADER_FILL = colors.HexColor("#dfe4ea")
STRIPE_FILL = colors.HexColor("#f4f6f8")
WARNING_INK = colors.HexColor("#7a2600")
WARNING_FILL = colors.HexColor("#fff0d9")


# -- words and dates ----------------------------------------------------------------------------


def day(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """A date as dd/mm/yyyy (a date-time is first put in London time). Formatted from its
    fields: strftime, which parses its format each time, was most of making a pack's dates
    (issue #10)."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = london(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def day_time(value: dt.datetime | None, empty: str = "") -> str:
    """A moment as dd/mm/yyyy HH:MM in London time (stored times are UTC)."""
    if value is None:
        return empty
    value = london(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"


def london(value: dt.datetime) -> dt.datetime:
    """A stored moment in London time; a naive value is UTC, as the database keeps it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON)


def words(value: str | None, empty: str = "") -> str:
    """A stored value ("very_high", "no_access") as words ("Very high", "No access")."""
    if not value:
        return empty
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


# -- what every page says -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrintInfo:
    """The running lines of a document: its title and, on every page, the team, the period and
    who printed it when (`printed_at` is shown in London time)."""

    title: str
    team: str
    period: str
    printed_by: str
    printed_at: dt.datetime

    @property
    def line(self) -> str:
        team = self.team if self.team == ALL_TEAMS else f"Team {self.team}"
        return (
            f"{team} \u00b7 {self.period} \u00b7 printed by {self.printed_by} "
            f"on {day_time(self.printed_at)}"
        )


# -- styles -------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, textColor=INK)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=20, leading=25, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceAfter=4, keepWithNext=1
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "note": ParagraphStyle("note", parent=body, textColor=colors.HexColor("#404040")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=BOLD, fontSize=9.5, leading=12
        ),
        "cell_head_centre": ParagraphStyle(
            "cell_head_centre",
            parent=body,
            fontName=BOLD,
            fontSize=9.5,
            leading=12,
            alignment=TA_CENTER,
        ),
        "cell_centre": ParagraphStyle(
            "cell_centre", parent=body, fontSize=9.5, leading=12, alignment=TA_CENTER
        ),
        "warning": ParagraphStyle(
            "warning",
            parent=body,
            fontName=BOLD,
            textColor=WARNING_INK,
            backColor=WARNING_FILL,
            borderPadding=(3, 4, 3, 4),
            spaceBefore=3,
            spaceAfter=6,
        ),
    }


STYLES = _styles()


def para(text: str, style: str = "body") -> Text:
    """A paragraph of plain text (line breaks kept) in one of `STYLES`."""
    return Text(text, STYLES[style])


def warning(text: str) -> Text:
    """Something missing or wrong the reader must not overlook, set off in colour and bold."""
    return para(text, "warning")


class Text(Flowable):
    """Plain text set as a Paragraph in `style` sets it. Text that fits on a line, or that
    breaks into lines as `_lines` breaks a cell's (where the Paragraph would break it, a line
    that fits only squeezed drawn squeezed), is drawn here, in the places, font and colour the
    Paragraph would give it, without parsing it as markup first (issue #10), its background too
    (a warning); anything else (line breaks of its own, a border, another alignment or a first
    line indent, a style not in `STYLES`, text split across pages) is left to a Paragraph."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        self._line = " ".join(text.split())
        bordered = style.borderWidth and style.borderColor
        simple = "\n" not in text.strip() and not bordered and style.alignment == TA_LEFT
        self._line_width = (
            text_width(self._line, style.fontName, style.fontSize) if simple and self._line else -1
        )
        self._breaks = simple and not style.firstLineIndent and STYLES.get(style.name) is style
        self._paragraph: Paragraph | None = None
        self._here: tuple[list[str], Sequence[float]] | None = None  # lines drawn here

    def _fits(self, aW: float) -> bool:
        s = self.style
        room = aW - s.leftIndent - s.firstLineIndent - s.rightIndent
        return 0 <= self._line_width <= room

    def _lines_here(self, aW: float) -> tuple[list[str], Sequence[float]] | None:
        """The lines to draw here and their word spacing, or None for the Paragraph."""
        if self._fits(aW):
            return [self._line], (0.0,)
        if not self._breaks or self._line_width < 0:
            return None
        s = self.style
        broken = _broken(self._line, s.name, aW - s.leftIndent - s.rightIndent)
        if broken is None:
            return None
        lines = broken.split("\n")
        return lines, broken.word_spaces if isinstance(broken, Squeezed) else (0.0,) * len(lines)

    def paragraph(self) -> Paragraph:
        """The Paragraph this text stands for (made when first needed)."""
        if self._paragraph is None:
            self._paragraph = Paragraph(escape(self.text).replace("\n", "<br/>"), self.style)
            if "keepWithNext" in self.__dict__:
                self._paragraph.keepWithNext = self.keepWithNext
        return self._paragraph

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self._here = self._lines_here(aW)
        if self._here is None:
            return self.paragraph().wrap(aW, aH)
        self.width, self.height = aW, len(self._here[0]) * self.style.leading
        return self.width, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        return [] if self._fits(aW) else self.paragraph().split(aW, aH)

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        if self._here is None:
            self.paragraph().drawOn(canvas, x, y, _sW)
            return
        s = self.style
        if s.backColor:  # where a Paragraph draws its background: the padding round its box
            top, right, bottom, left = normalizeTRBL(s.borderPadding)
            canvas.saveState()
            canvas.setFillColor(s.backColor)
            canvas.rect(
                x + s.leftIndent - left,
                y - bottom,
                self.width - (s.leftIndent + s.rightIndent) + left + right,
                self.height + top + bottom,
                fill=1,
                stroke=0,
            )
            canvas.restoreState()
        writer = TextWriter(canvas)
        font = (s.fontName, s.fontSize, s.leading)
        # a Paragraph's first baseline is its font size below its top (rl_config's default),
        # each next one its leading below
        baseline, indent = y + self.height - s.fontSize, s.firstLineIndent
        for line, space in zip(*self._here, strict=True):
            writer.line(x + s.leftIndent + indent, baseline, line, font, s.textColor, "left", space)
            baseline, indent = baseline - s.leading, 0
        writer.flush()


def text_width(text: str, font: str, size: float) -> float:
    """The width of `text` in points, exactly as reportlab's `stringWidth` measures it (the sum of
    the characters' widths in the font, in thousandths of `size`), from a table of the font's
    characters: measuring word by word with `stringWidth` was a large part of a table's layout."""
    table = _char_widths(font)
    try:
        return sum(map(table.__getitem__, text)) * 0.001 * size
    except KeyError:  # a character the font's encoding lacks: reportlab substitutes
        return stringWidth(text, font, size)


@functools.cache
def _char_widths(font: str) -> dict[str, int]:
    """Each character the font's encoding holds, with its width (thousandths of the size)."""
    face = getFont(font)
    table: dict[str, int] = {}
    for code in range(256):
        byte = bytes([code])
        try:
            char = byte.decode(face.encName)
        except UnicodeDecodeError:
            continue
        if len(char) == 1 and char.encode(face.encName) == byte:
            table.setdefault(char, face.widths[code])
    return table


# -- tables -------------------------------------------------------------------------------------

Cell: TypeAlias = str | Flowable  # text (wrapped in a Paragraph) or a ready flowable


@dataclass(frozen=True)
class Fixed:
    """A column of a fixed width (points), for values that must not wrap, such as dates."""

    points: float


DATE = Fixed(22 * mm)  # "dd/mm/yyyy" at 9.5 pt with the cell's padding
DATE_TIME = Fixed(31 * mm)  # "dd/mm/yyyy HH:MM"


def widths(*columns: float | Fixed, total: float = CONTENT_WIDTH) -> list[float]:
    """Column widths: `Fixed` columns as given, the rest sharing what is left of `total` in
    proportion to their weights."""
    rest = total - sum(c.points for c in columns if isinstance(c, Fixed))
    whole = sum(c for c in columns if not isinstance(c, Fixed))
    return [c.points if isinstance(c, Fixed) else rest * c / whole for c in columns]


class TextWriter:
    """Lines of text written straight into the page as PDF text operators, in one text object:
    the font and the colour when they change, then for each line its origin and its string.
    Through reportlab's canvas every line took a text object, its string measured again and each
    number formatted by pure-Python code, which made drawing text most of a pack's time (issue
    #10). Positions are written to a thousandth of a point. The text leaves the canvas's graphics
    state as it found it (q ... Q); text a standard font's encoding lacks, and colours other
    than plain RGB, go through the canvas as usual."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._ops: list[str] = []
        self._font: tuple[str, float, float] | None = None
        self._colour: Any = _UNSET  # the last colour set, a plain RGB one

    def line(
        self,
        x: float,
        y: float,
        text: str,
        font: tuple[str, float, float],
        colour: Any,
        align: str = "left",
        word_space: float = 0,
    ) -> None:
        """`text` on the baseline `y`, starting at `x`, ending there ("right") or centred on it
        ("centre"), in `font` (name, size, leading) and `colour`; `word_space` added to each
        space (negative: a line squeezed to fit, as a Paragraph squeezes it)."""
        name, size, leading = font
        if align != "left":
            width = text_width(text, name, size)
            x -= width if align == "right" else width / 2
        if text.isascii() and text.isprintable() and _ascii_as_is(name):
            string: str | None = text.translate(_PDF_ESCAPES) if _SPECIAL.search(text) else text
        else:
            string = _pdf_string(text, name)
        if colour is not self._colour and not _plain(colour):
            string = None
        if string is None:
            self.flush()
            self.canvas.saveState()
            self.canvas.setFont(name, size, leading)
            self.canvas.setFillColor(colour)
            self.canvas.drawString(x, y, text, wordSpace=word_space or None)
            self.canvas.restoreState()
            return
        if font != self._font:
            internal = self.canvas._doc.getInternalFontName(name)  # also puts it on the page
            self._ops.append(f"{internal} {_number(size)} Tf {_number(leading)} TL")
            self._font = font
        if colour is not self._colour:
            if colour != self._colour:
                self._ops.append(_colour_operator(colour.rgb(), "rg"))
            self._colour = colour
        if word_space:
            string = f"{_decimals(word_space, 6)} Tw ({string}) Tj 0 Tw"
        else:
            string = f"({string}) Tj"
        self._ops.append(f"1 0 0 1 {_number(x)} {_number(y)} Tm {string} T*")

    def flush(self) -> None:
        """Put the lines written so far on the page."""
        if self._ops:
            self.canvas.addLiteral(f"q BT {' '.join(self._ops)} ET Q")
            self._ops, self._font, self._colour = [], None, _UNSET


_UNSET = object()
# bytes a PDF string must escape: all but printable ASCII, and \\ ( )
_ESCAPED = re.compile(rb"[^\x20-\x27\x2a-\x5b\x5d-\x7e]")
# of printable ASCII, only \\ ( ) are escaped, as reportlab's escapePDF escapes them
_SPECIAL = re.compile(r"[\\()]")
_PDF_ESCAPES = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def _pdf_string(text: str, font: str) -> str | None:
    """`text` as a PDF string in a standard font's encoding, escaped; None when the font is
    embedded or its encoding lacks a character of `text`."""
    encoding = _encoding(font)
    try:
        encoded = text.encode(encoding) if encoding else None
    except UnicodeEncodeError:
        return None
    if encoded is None:
        return None
    return escapePDF(encoded) if _ESCAPED.search(encoded) else encoded.decode("ascii")


@functools.cache
def _ascii_as_is(font: str) -> bool:
    """Whether the font's encoding writes every printable ASCII character as its own byte
    (Helvetica's does), so that such text needs no encoding, only its \\ ( ) escaped: encoding
    each line through reportlab's codec was a tenth of drawing a pack's text (issue #10)."""
    printable = "".join(map(chr, range(0x20, 0x7F)))
    return _pdf_string(printable, font) == printable.translate(_PDF_ESCAPES)


def _plain(colour: Any) -> bool:
    """Whether `colour` is a plain, opaque RGB colour, written as "r g b rg"."""
    return (
        isinstance(colour, colors.Color)
        and not isinstance(colour, colors.CMYKColor)
        and colour.alpha == 1
    )


def _number(value: float, places: int = 3) -> str:
    """A number as a PDF content stream takes it: no more decimals than needed. Positions (to
    three places) are remembered: a pack writes tens of thousands, most of them many times over
    (a column's start, a row's baseline in its table), and formatting each again was a tenth of
    drawing it (issue #10)."""
    if places != 3:
        return _decimals(value, places)
    text = _NUMBERS.get(value)
    if text is None:
        if len(_NUMBERS) >= _NUMBERS_KEPT:
            _NUMBERS.clear()
        text = _NUMBERS[value] = _decimals(value, 3)
    return text


@functools.lru_cache(maxsize=256)
def _colour_operator(rgb: tuple[float, float, float], operator: str) -> str:
    """Setting a colour ("rg" to fill, "RG" to stroke), its parts to six places; remembered, as
    every text object of a page sets its colour again."""
    return " ".join(_decimals(c, 6) for c in rgb) + f" {operator}"


def _decimals(value: float, places: int) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


_NUMBERS: dict[float, str] = {}
_NUMBERS_KEPT = 50_000


@functools.cache
def _encoding(font: str) -> str | None:
    """The encoding of a standard (Type 1) font's strings; None for an embedded one."""
    face = getFont(font)
    return None if face._dynamicFont else str(face.encName)


_ALIGNED = ("LEFT", "CENTRE", "CENTER", "RIGHT")
_VALIGNED = ("TOP", "MIDDLE", "BOTTOM")


class TextTable(Table):
    """A reportlab Table whose text cells are written with a `TextWriter`, one text object for
    the table's text, instead of a text object per line through `canvas.drawString`: the same
    text in the same places, fonts and colours, at a fraction of the cost (issue #10). Cells
    holding flowables, and styles this does not handle (links, decimal alignment, other
    directions), are drawn as Table draws them."""

    def draw(self) -> None:
        self._writer = TextWriter(self.canv)
        self._boxes: list[str] = []
        super().draw()
        self._writer.flush()
        if self._boxes:  # every tick box of the table as one path, in its own pen
            self.canv.addLiteral(f"q {TickBox.pen_operators()} n {' '.join(self._boxes)} S Q")

    def _drawBkgrnd(self) -> None:  # noqa: N802 (reportlab's name)
        """Plain colour fills (the header row's, the stripes) written as one path per colour,
        where Table sets the colour and formats each rectangle's numbers in pure Python for every
        fill (issue #10); anything else (row or column cycles, gradients, spans, functions) is
        drawn as Table draws it. The fill colour is set inside q ... Q, so the canvas's own idea
        of it stays true."""
        commands = self._bkgrndcmds
        if getattr(self, "_spanRects", None) or not all(
            cmd == "BACKGROUND" and _plain(arg) for cmd, _, _, arg in commands
        ):
            super()._drawBkgrnd()
            return
        nrows, ncols = self._nrows, self._ncols
        cols, rows = self._colpositions, self._rowpositions
        ops: list[str] = []
        colour: Any = None
        for _, (sc, sr), (ec, er), fill in commands:
            if sr in _SPECIALROWS:
                continue
            sc, ec = sc + ncols if sc < 0 else sc, ec + ncols if ec < 0 else ec
            sr, er = sr + nrows if sr < 0 else sr, er + nrows if er < 0 else er
            x0, y0 = cols[sc], rows[sr]
            x1, y1 = cols[min(ec + 1, ncols)], rows[min(er + 1, nrows)]
            if fill is not colour and fill != colour:
                ops += ["f"] if ops else []
                ops.append(_colour_operator(fill.rgb(), "rg"))
                colour = fill
            ops.append(f"{_number(x0)} {_number(y0)} {_number(x1 - x0)} {_number(y1 - y0)} re")
        if ops:
            self.canv.addLiteral(f"q n {' '.join(ops)} f Q")

    def _drawCell(  # noqa: N802 (reportlab's name)
        self, cellval: Any, cellstyle: Any, pos: tuple[float, float], size: tuple[float, float]
    ) -> None:
        just, valign = cellstyle.alignment, cellstyle.valign
        only = cellval[0] if isinstance(cellval, (tuple, list)) and len(cellval) == 1 else cellval
        if isinstance(only, TickBox) and just in _ALIGNED and valign in _VALIGNED:
            self._draw_box(only, cellstyle, pos, size)
            return
        if (
            isinstance(cellval, (tuple, list, Flowable))
            or just not in _ALIGNED
            or valign not in _VALIGNED
            or cellstyle.href
            or cellstyle.destination
            or cellstyle.direction
            or cellstyle.shaping
        ):
            self._writer.flush()  # the page holds the table's text in reading order
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        (colpos, rowpos), (colwidth, rowheight) = pos, size
        lines = str(cellval).split("\n")
        leading, fontsize = cellstyle.leading, cellstyle.fontsize
        # where Table._drawCell puts a text cell's first baseline and each line's start
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding - fontsize
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding + len(lines) * leading - fontsize
        else:
            middle = cellstyle.bottomPadding + rowheight - cellstyle.topPadding
            y = rowpos + (middle + len(lines) * leading) / 2.0 - fontsize
        if just == "LEFT":
            x, align = colpos + cellstyle.leftPadding, "left"
        elif just == "RIGHT":
            x, align = colpos + colwidth - cellstyle.rightPadding, "right"
        else:
            x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding) / 2
            align = "centre"
        font = (cellstyle.fontname, fontsize, leading)
        spaces = cellval.word_spaces if isinstance(cellval, Squeezed) else (0.0,) * len(lines)
        for line, space in zip(lines, spaces, strict=True):
            if line:
                self._writer.line(x, y, line, font, cellstyle.color, align, space)
            y -= leading

    def _drawGrid(  # noqa: N802 (reportlab's name)
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        weight: float,
        color: Any,
        count: int,
        space: float,
    ) -> None:
        """A grid as two paths, its rules across and its rules down, where Table draws its box
        and then its inner rules, six calls each measured and formatted apart: the same lines."""
        (sc, sr), (ec, er) = start, end
        across, down = self._colpositions[sc : ec + 2], self._rowpositions[sr : er + 2]
        if self._ruled(across, down, weight, color, count, vertical=False):
            self._ruled(down, across, weight, color, count, vertical=True)
        else:
            super()._drawGrid(start, end, weight, color, count, space)

    def _drawHLines(  # noqa: N802 (reportlab's name)
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        weight: float,
        color: Any,
        count: int,
        space: float,
    ) -> None:
        (sc, sr), (ec, er) = start, end
        span, at = self._colpositions[sc : ec + 2], self._rowpositions[sr : er + 1]
        if not self._ruled(span, at, weight, color, count, vertical=False):
            super()._drawHLines(start, end, weight, color, count, space)

    def _drawVLines(  # noqa: N802 (reportlab's name)
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        weight: float,
        color: Any,
        count: int,
        space: float,
    ) -> None:
        (sc, sr), (ec, er) = start, end
        span, at = self._rowpositions[sr : er + 2], self._colpositions[sc : ec + 1]
        if not self._ruled(span, at, weight, color, count, vertical=True):
            super()._drawVLines(start, end, weight, color, count, space)

    def _ruled(
        self,
        span: Sequence[float],
        at: Sequence[float],
        weight: float,
        color: Any,
        count: int,
        *,
        vertical: bool,
    ) -> bool:
        """Rules across `span` (its first to its last position), one at each of `at`, as one
        PDF path: Table strokes each rule on its own, its numbers formatted by pure-Python code
        (a tenth of a pack's drawing, issue #10). False, for Table to draw them, when they are
        double, interrupted by spanned cells, or the table has rounded corners."""
        blocks = getattr(self, "_vBlocks" if vertical else "_hBlocks", None)
        if count != 1 or blocks or self._roundingRectDef:
            return False
        if len(span) > 1 and at:
            self._prepLine(weight, color)
            a, b = _number(span[0]), _number(span[-1])
            if vertical:  # Table draws a vertical rule from the bottom row up
                path = " ".join(f"{_number(x)} {b} m {_number(x)} {a} l" for x in at)
            else:
                path = " ".join(f"{a} {_number(y)} m {b} {_number(y)} l" for y in at)
            self.canv.addLiteral(f"n {path} S")
        return True

    def _draw_box(
        self, box: TickBox, cellstyle: Any, pos: tuple[float, float], size: tuple[float, float]
    ) -> None:
        """A tick box alone in its cell, put where Table._drawCell would draw it, to be drawn
        with the table's other boxes (`draw`), without a flowable's save, move and restore or a
        canvas call each: a pack's checklists hold hundreds."""
        (colpos, rowpos), (colwidth, rowheight) = pos, size
        just, valign = cellstyle.alignment, cellstyle.valign
        if just == "LEFT":
            x = colpos + cellstyle.leftPadding
        elif just == "RIGHT":
            x = colpos + colwidth - cellstyle.rightPadding - box.width
        else:
            x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding - box.width) / 2
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding - box.height
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding
        else:
            middle = rowheight + cellstyle.bottomPadding - cellstyle.topPadding + box.height
            y = rowpos + middle / 2 - box.height
        self._boxes.append(
            f"{_number(x)} {_number(y)} {_number(box.width)} {_number(box.height)} re"
        )


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    col_widths: Sequence[float],
    *,
    centre: Sequence[int] = (),
) -> TextTable:
    """A table of rows under a header row in bold. Text is broken into lines that fit its column,
    so long text wraps instead of running out of the cell (see `_lines`); a table longer than the
    page splits, and the header row is repeated at the top of every page it runs onto. `centre`
    lists columns whose cells are centred (boxes, short codes)."""
    rooms = [(w - 2 * CELL_PADDING, i not in centre) for i, w in enumerate(col_widths)]
    data: list[list[Cell]] = [[_lines(h, "cell_head", *rooms[i]) for i, h in enumerate(header)]]
    data += [
        [_lines(v, "cell", *rooms[i]) if isinstance(v, str) else v for i, v in enumerate(row)]
        for row in rows
    ]
    head = [_HeadCentre if i in centre else _Head for i in range(len(header))]
    body = [_BodyCentre if i in centre else _Body for i in range(len(header))]
    cell_styles = [[kind("head") for kind in head]]
    cell_styles += [[kind("body") for kind in body] for _ in rows]
    table = TextTable(
        data,
        colWidths=list(col_widths),
        rowHeights=[_row_height(*row) for row in zip(data, cell_styles, strict=True)],
        repeatRows=1,
        hAlign="LEFT",
        cellStyles=cell_styles,
        normalizedData=1,  # text and flowables already
    )
    commands = [*_DATA_TABLE]
    commands += [("BACKGROUND", (0, r), (-1, r), STRIPE_FILL) for r in range(2, len(data), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _row_height(row: Sequence[Cell], styles: Sequence[CellStyle]) -> float | None:
    """A row's height when all its cells are text or tick boxes (text's lines at their leading,
    a box's height, with their padding, as the Table would measure them), so that the table need
    not measure it again; None when a cell holds another flowable."""
    tallest = 0.0
    for cell, style in zip(row, styles, strict=True):
        if isinstance(cell, str):
            height = (cell.count("\n") + 1) * style.leading
        elif isinstance(cell, TickBox):
            height = cell.height
        else:
            return None
        tallest = max(tallest, height + style.topPadding + style.bottomPadding)
    return tallest


def _cell_style(style: str, **attributes: Any) -> type[CellStyle]:
    """A table cell's style whose text is set as `STYLES[style]` sets a paragraph, at the top of
    the cell, with `attributes` (paddings, alignment). Tables are given a style object per cell
    made from these, rather than style commands applied to their cells one by one, which was a
    large part of making a table (issue #10); commands still change single cells."""
    s = STYLES[style]
    defaults = {
        "fontname": s.fontName,
        "fontsize": s.fontSize,
        "leading": s.leading,
        "color": s.textColor,
        "valign": "TOP",
        **attributes,
    }
    return type(f"{style.title()}Cell", (CellStyle,), defaults)


_DATA_PADDING = {
    "topPadding": 3,
    "bottomPadding": 3,
    "leftPadding": CELL_PADDING,
    "rightPadding": CELL_PADDING,
}
_Head = _cell_style("cell_head", **_DATA_PADDING)
_HeadCentre = _cell_style("cell_head", alignment="CENTER", **_DATA_PADDING)
_Body = _cell_style("cell", **_DATA_PADDING)
_BodyCentre = _cell_style("cell", alignment="CENTER", **_DATA_PADDING)
_DATA_TABLE: list[Any] = [
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
]


def _lines(text: str, style: str, room: float, squeeze: bool = True) -> Cell:
    """`text` for a table cell `room` points wide, set in `STYLES[style]`: as it is when it fits
    on one line, else as lines broken where a Paragraph would break them (words in turn while
    they fit, allowing the Paragraph's slight squeeze of spaces). The table draws such lines as
    they are, which looks the same and costs a fraction of a Paragraph to lay out and draw; a
    line that fits only squeezed is drawn squeezed as the Paragraph draws it (`Squeezed`), in a
    left-aligned column (`squeeze`: a Paragraph in a cell is left-aligned). Text a Paragraph
    would set differently (a word longer than the column, line breaks or no-break spaces of its
    own, a squeezed line where `squeeze` is off) stays a Paragraph."""
    broken = _broken(text, style, room)
    if broken is None or (isinstance(broken, Squeezed) and not squeeze):
        return para(text, style)
    return broken


class Squeezed(str):
    """A cell's lines, some of which fit only with their spaces narrowed, as a Paragraph fits
    them: `word_spaces` holds what each line's spaces give up (0 for a line that fits)."""

    word_spaces: tuple[float, ...]

    def __new__(cls, lines: Sequence[str], word_spaces: Sequence[float]) -> Squeezed:
        made = super().__new__(cls, "\n".join(lines))
        made.word_spaces = tuple(word_spaces)
        return made


@functools.lru_cache(maxsize=4096)
def _broken(text: str, style: str, room: float) -> str | None:
    """`_lines`'s text broken into lines (`Squeezed` when a line fits only squeezed), or None
    where it stays a Paragraph. Remembered: a pack repeats the same headers, checklist questions
    and short values on every record."""
    s = STYLES[style]
    font, size = s.fontName, s.fontSize
    if "\n" in text or "\xa0" in text:
        return None
    if text_width(text, font, size) <= room:
        return text
    space = text_width(" ", font, size)
    squeeze = s.spaceShrinkage * space
    lines: list[str] = []
    spaces: list[float] = []
    line: list[str] = []
    width = -space

    def close() -> None:
        # a line wider than the room (past reportlab's 1e-8 pt) fits only squeezed: the
        # Paragraph narrows each of its spaces by an equal share of the overflow
        lines.append(" ".join(line))
        spaces.append((room - width) / (len(line) - 1) if room - width < -1e-8 else 0.0)

    for word in text.split():
        word_width = text_width(word, font, size)
        if word_width > room:
            return None
        if not line or width + space + word_width <= room + squeeze * len(line):
            line.append(word)
            width += space + word_width
            continue
        close()
        line, width = [word], word_width
    if not line:
        return None
    close()
    return Squeezed(lines, spaces) if any(spaces) else "\n".join(lines)


def facts_table(pairs: Sequence[tuple[str, Cell]], label_width: float = 42 * mm) -> TextTable:
    """Label and value pairs, one a row, labels in bold: a record's summary, a cover's details."""
    value_width = CONTENT_WIDTH - label_width
    padding = _FACTS_PADDING["leftPadding"] + _FACTS_PADDING["rightPadding"]
    data = [
        [
            _lines(label, "cell_head", label_width - padding),
            _lines(value, "cell", value_width - padding) if isinstance(value, str) else value,
        ]
        for label, value in pairs
    ]
    cell_styles = [[_Label("label"), _Value("value")] for _ in pairs]
    table = TextTable(
        data,
        colWidths=[label_width, value_width],
        rowHeights=[_row_height(*row) for row in zip(data, cell_styles, strict=True)],
        hAlign="LEFT",
        cellStyles=cell_styles,
        normalizedData=1,
    )
    table.setStyle(_FACTS_TABLE)
    return table


_FACTS_PADDING = {"topPadding": 2, "bottomPadding": 3, "leftPadding": 2, "rightPadding": 6}
_Label = _cell_style("cell_head", **_FACTS_PADDING)
_Value = _cell_style("cell", **_FACTS_PADDING)
_FACTS_TABLE = TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)])


# -- flowables ----------------------------------------------------------------------------------


class KeepWithStart(KeepTogether):
    """A heading and what follows it: kept whole on one page when it is short, and otherwise
    started on the next page unless at least `min_room` is left on this one (so the heading
    always has the start of its content under it; a long table then splits as usual).

    The content is measured only when less than `min_room` is left: with room enough the answer
    does not depend on its height, and measuring a long table twice is most of a pack's time."""

    def __init__(self, flowables: Sequence[Flowable], min_room: float) -> None:
        super().__init__(list(flowables))
        self._min_room = min_room

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self._wrapInfo = None
        return aW, 0xFFFFFF  # never drawn whole: always split into its content

    def split(self, aW: float, aH: float) -> list[Flowable]:
        content: list[Flowable] = list(self._content)
        frame = getattr(self, "_frame", None)
        at_top = bool(frame is not None and getattr(frame, "_atTop", False))
        if aH >= self._min_room or at_top or self._fits(aW, aH):
            return content
        return [FrameBreak(), *content]

    def _fits(self, aW: float, aH: float) -> bool:
        """Whether the content, stacked as the frame would stack it, is no taller than `aH`:
        measured as KeepTogether measures it (`_listWrapOn`: the heights, and between two the
        larger of one's space after and the next's space before), but stopping at the first
        flowable that goes past `aH`, and without `_listWrapOn`'s deep copy of the frame, kept
        for content that adds to the frame (the content here never does; a frame action is
        measured the old way)."""
        content = self._content
        if any(hasattr(f, "frameAction") for f in content):
            KeepTogether.wrap(self, aW, aH)
            return aH >= self._H
        height = after = 0.0
        first = True
        for f in content:
            _, h = f.wrapOn(self.canv, aW, 0xFFFFFFF)
            if h <= _FUZZ:
                continue
            height += h if first else h + max(f.getSpaceBefore() - after, 0)
            if height > aH:
                return False
            first = False
            after = f.getSpaceAfter()
            height += after
        return True


def headed(heading: Flowable, *content: Flowable, min_room: float = 40 * mm) -> KeepWithStart:
    """`heading` kept with the start of `content` (see KeepWithStart). The heading's own
    keep-with-next is switched off inside, or a long table under it would always be pushed to a
    new page."""
    heading.keepWithNext = 0
    return KeepWithStart([heading, *content], min_room)


class Bookmark(Flowable):
    """An entry in the PDF's outline (the viewer's bookmarks pane) pointing at this page."""

    width = height = 0

    def __init__(self, title: str, key: str, level: int = 0) -> None:
        super().__init__()
        self.title, self.key, self.level = title, key, level

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=self.level, closed=True)


class RunningTitle(Flowable):
    """Names what the pages from here on are about ("ZZ/2024/0001 Zebedee Quillfeather") in the
    page header, so a loose page can be put back where it belongs."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.running_title = self.text  # type: ignore[attr-defined]


class TickBox(Flowable):
    """An empty square to tick with a pen. Drawn where it stands, without moving the canvas's
    origin there and back as a flowable normally is (in a TextTable, by the table itself): a
    pack has hundreds."""

    line_width = 0.8

    def __init__(self, size: float = 4 * mm) -> None:
        super().__init__()
        self.width = self.height = size

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(self.line_width)
        canvas.rect(x, y, self.width, self.height)
        canvas.restoreState()

    @classmethod
    def pen_operators(cls) -> str:
        """The line a tick box is drawn with, as PDF operators."""
        return f"{_number(cls.line_width)} w {_colour_operator(INK.rgb(), 'RG')}"


class RuledLines(Flowable):
    """Ruled lines across the width to write on, `spacing` apart (9 mm suits handwriting)."""

    def __init__(self, count: int, spacing: float = 9 * mm) -> None:
        super().__init__()
        self.count, self.spacing = count, spacing

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width = aW
        return aW, self.count * self.spacing

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.5)
        for i in range(self.count):
            self.canv.line(0, i * self.spacing, self.width, i * self.spacing)


# -- the page and the document ------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """A canvas that holds every page back until the document is finished, then draws each page's
    furniture knowing the total ("Page 3 of 41"). Bookmarks are held back with their page: made
    at once, they would all point at the first page, the only one the PDF has begun.

    Page contents are compressed (Flate) but not then ASCII85-encoded, reportlab's default: that
    only makes the file 7-bit clean, a quarter larger, and in pure Python took a tenth of a
    pack's time (issue #10). The PDF is kept and written as bytes."""

    furniture: Callable[[Canvas, int, int], None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setPageCompression(0)  # pages leave their streams to the document's filters:
        self._doc.defaultStreamFilters = [PDFStreamFilterZCompress()]  # Flate alone
        self._held: list[dict[str, Any]] = []
        self._page_bookmarks: list[str] = []
        self.running_title = ""

    def bookmarkPage(self, key: str, **kwargs: Any) -> None:  # noqa: N802 (reportlab's name)
        self._page_bookmarks.append(key)

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()
        self._page_bookmarks = []

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            for key in state["_page_bookmarks"]:
                Canvas.bookmarkPage(self, key)
            self.furniture(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)


class Report:
    """An A4 document with the Pillars page furniture. Give it the running lines and a story of
    flowables; `render` returns the PDF's bytes.

    Each page carries, at the top, OFFICIAL-SENSITIVE centred and under it the document's title and
    (from a `RunningTitle`) what the page is about; at the bottom the team, period and who printed
    it when, "Page x of y", and OFFICIAL-SENSITIVE centred again."""

    pagesize = A4
    margin_x = MARGIN_X
    margin_top = MARGIN_TOP
    margin_bottom = MARGIN_BOTTOM
    marking = MARKING

    def __init__(self, info: PrintInfo) -> None:
        self.info = info

    def render(self, story: list[Flowable]) -> bytes:
        out = io.BytesIO()
        doc = BaseDocTemplate(
            out,
            pagesize=self.pagesize,
            leftMargin=self.margin_x,
            rightMargin=self.margin_x,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=self.info.title,
            author=self.info.printed_by,
            subject=f"{self.marking}: {self.info.line}",
            creator="Pillars",
        )
        frame = Frame(
            doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", showBoundary=0
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])

        furniture = self.draw_furniture

        class Numbered(_NumberedCanvas):
            pass

        Numbered.furniture = staticmethod(furniture)  # type: ignore[assignment]
        doc.build(story, canvasmaker=Numbered)
        return out.getvalue()

    @functools.cached_property
    def footer_line(self) -> str:
        """The team, period and who printed it when, cut to fit beside the page number."""
        return _fit(self.info.line, self.pagesize[0] - 2 * self.margin_x - 30 * mm, FONT, 8.5)

    def draw_furniture(self, canvas: Canvas, number: int, total: int) -> None:
        """The header and footer of page `number` of `total` (a hook: subclasses may add). The
        text goes into one PDF text object: eighty pages of drawString calls were a twentieth
        of a pack's time (issue #10)."""
        width, height = self.pagesize
        left, right = self.margin_x, width - self.margin_x
        text = TextWriter(canvas)
        marking, small, small_bold = (BOLD, 10, 12), (FONT, 8.5, 10.2), (BOLD, 8.5, 10.2)
        text.line(width / 2, height - 11 * mm, self.marking, marking, INK, "centre")
        text.line(left, height - 17 * mm, self.info.title, small, INK)
        running = getattr(canvas, "running_title", "")
        if running:
            text.line(right, height - 17 * mm, running, small, INK, "right")
        text.line(left, 15 * mm, self.footer_line, small, INK)
        text.line(right, 15 * mm, f"Page {number} of {total}", small_bold, INK, "right")
        text.line(width / 2, 9 * mm, self.marking, marking, INK, "centre")
        text.flush()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, height - 19 * mm, right, height - 19 * mm)
        canvas.line(left, 19 * mm, right, 19 * mm)
        canvas.restoreState()


def _fit(text: str, width: float, font: str, size: float) -> str:
    """`text` cut with an ellipsis to fit `width` (a running line must stay on its line)."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text + "\u2026"
