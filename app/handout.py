"""A handout page per lecture scene: title, the scene's picture, its explanation, room to answer.

``HandoutPage`` is the data of one page; ``paint_page`` draws it with a QPainter on any paint
device (the PDF writer, or a QImage for a preview PNG), so the PDF and the PNGs are the same
drawing. Text uses the system UI font with the bundled NanumGothic after it (``app.fonts``), so
Hangul is embedded in the PDF. ``app.handout_job`` runs the scenes and writes the file.

Questions: a page lists the questions that the registered providers return for its scene
(``add_question_provider``); the answers, computed from the panel's model after the scene ran
(``add_answer_provider``), go on the last pages (``AnswerEntry``, ``paint_answers``). The exercises
catalogue registers both (``app.lecture.exercise_handout``); nothing here depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPen

from app import fonts
from app.i18n import tr
from app.lecture.scene import PARTS, Scene

_question_providers: list[Callable[[Scene], list[str]]] = []


def add_question_provider(provider: Callable[[Scene], list[str]]) -> None:
    """Register ``provider(scene) -> [question, …]`` (already translated) for the handout pages."""
    if provider not in _question_providers:
        _question_providers.append(provider)


def remove_question_provider(provider) -> None:
    if provider in _question_providers:
        _question_providers.remove(provider)


def questions_for(scene: Scene) -> list[str]:
    """Every registered provider's questions for ``scene``, in registration order."""
    return [q for provider in _question_providers for q in provider(scene)]


_answer_providers: list[Callable[[Scene, object], list[str]]] = []


def add_answer_provider(provider: Callable[[Scene, object], list[str]]) -> None:
    """Register ``provider(scene, model) -> [answer, …]``: called after ``scene`` ran on ``model``."""
    if provider not in _answer_providers:
        _answer_providers.append(provider)


def remove_answer_provider(provider) -> None:
    if provider in _answer_providers:
        _answer_providers.remove(provider)


def answers_for(scene: Scene, model) -> list[str]:
    """Every registered provider's answers for ``scene`` as measured in ``model``."""
    return [a for provider in _answer_providers for a in provider(scene, model)]


def part_keys() -> list[str]:
    return list(PARTS)


def select_scenes(all_scenes, part: int | None = None) -> list[Scene]:
    """The scenes of lecture part ``part`` (1-based, in outline order), or all of them.

    A part number out of range is a ValueError listing the parts.
    """
    scenes = list(all_scenes)
    if part is None:
        return scenes
    keys = part_keys()
    if not 1 <= part <= len(keys):
        listing = "; ".join(f"{i + 1} = {tr(PARTS[k])}" for i, k in enumerate(keys))
        raise ValueError(f"--part must be 1 to {len(keys)} ({listing}), got {part}")
    return [s for s in scenes if s.part == keys[part - 1]]


@dataclass
class HandoutPage:
    """One page: texts already translated, the scene's picture, and its place in the handout."""

    name: str
    part: str
    title: str
    explanation: str
    image: QImage
    number: int = 1
    count: int = 1
    questions: list[str] = field(default_factory=list)


@dataclass
class AnswerEntry:
    """The answers of one scene's page, for the answers pages at the end."""

    number: int
    title: str
    answers: list[str]


def page_layout() -> QPageLayout:
    """A4 portrait with 15 mm margins."""
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)


def text_font(point_size: float, bold: bool = False) -> QFont:
    """The UI family with NanumGothic after it (Hangul), at ``point_size``."""
    font = QFont()
    font.setFamilies([QFont().family(), fonts.hangul_family()])
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def _text(painter: QPainter, rect: QRectF, text: str, font: QFont, color: str = "#000000") -> float:
    """Draw word-wrapped ``text`` at the top of ``rect``; returns the height used."""
    painter.setFont(font)
    painter.setPen(QColor(color))
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    used = painter.boundingRect(rect, flags, text)
    painter.drawText(rect, flags, text)
    return used.height()


def paint_page(painter: QPainter, rect: QRectF, page: HandoutPage) -> None:
    """Draw ``page`` into ``rect`` (the printable area, in the painter's device pixels)."""
    dpi = painter.device().logicalDpiY()
    mm = dpi / 25.4
    gap = 4 * mm
    y = rect.top()
    head = f"{page.part} · {page.number}/{page.count}"
    y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.height()), head, text_font(9), "#666666")
    y += 1 * mm
    y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.height()), page.title, text_font(16, bold=True))
    y += gap
    if not page.image.isNull():
        max_h = rect.height() * 0.42
        scale = min(rect.width() / page.image.width(), max_h / page.image.height())
        w, h = page.image.width() * scale, page.image.height() * scale
        target = QRectF(rect.left() + (rect.width() - w) / 2, y, w, h)
        painter.drawImage(target, page.image)
        painter.setPen(QPen(QColor("#999999"), max(1.0, 0.2 * mm)))
        painter.drawRect(target)
        y += h + gap
    y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y), page.explanation, text_font(10.5))
    y += gap
    for i, question in enumerate(page.questions, 1):
        y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y), f"{i}. {question}",
                   text_font(10.5, bold=True))
        y += 1.5 * mm
    y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
               tr("Your notes and answers:"), text_font(10, bold=True), "#444444")
    painter.setPen(QPen(QColor("#bbbbbb"), max(1.0, 0.15 * mm)))
    line = y + 9 * mm
    while line < rect.bottom() - 2 * mm:
        painter.drawLine(rect.left(), line, rect.right(), line)
        line += 9 * mm


def render_png(page: HandoutPage, path: str, dpi: int = 110) -> bool:
    """Paint ``page`` on an A4 image at ``dpi`` (the same drawing as the PDF) and save it."""
    layout = page_layout()
    full = layout.fullRectPixels(dpi)
    paint = layout.paintRectPixels(dpi)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    paint_page(painter, QRectF(paint), page)
    painter.end()
    return image.save(path)


def paint_answers(painter: QPainter, rect: QRectF, entries: list[AnswerEntry], start: int = 0) -> int:
    """Draw ``entries[start:]`` under an "Answers" heading until the page is full.

    Returns the index of the first entry not drawn (``len(entries)`` when all fit); at least one
    entry is drawn per page so a long one cannot stall the pagination.
    """
    mm = painter.device().logicalDpiY() / 25.4
    y = rect.top()
    y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.height()), tr("Answers"), text_font(16, bold=True))
    y += 3 * mm
    index = start
    while index < len(entries):
        entry = entries[index]
        body = "\n".join(entry.answers)
        head_font, body_font = text_font(10.5, bold=True), text_font(10)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        painter.setFont(body_font)
        need = painter.boundingRect(QRectF(rect.left(), 0, rect.width(), 1e6), flags, body).height() + 10 * mm
        if index > start and y + need > rect.bottom():
            break
        y += _text(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
                   f"{entry.number}. {entry.title}", head_font)
        y += 1 * mm
        y += _text(painter, QRectF(rect.left() + 4 * mm, y, rect.width() - 4 * mm, rect.bottom() - y), body, body_font)
        y += 4 * mm
        index += 1
    return index
