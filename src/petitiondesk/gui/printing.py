"""Print and print preview of a petition: its chart as the window shows it, then its details.

The page is laid out as a QTextDocument built with a cursor, so that every piece of text from the
site goes in as plain text (never as markup), and the chart is the same drawing as an export.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QTextCharFormat, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from petitiondesk.core.models import Petition
from petitiondesk.gui import chart_export
from petitiondesk.gui.chart_export import ChartSpec
from petitiondesk.gui.format import format_count, format_date, state_label

CHART_RESOURCE = "petitiondesk://chart.png"


def petition_document(spec: ChartSpec, petition: Petition | None, page_width: float) -> QTextDocument:
    """The printed page: title, chart, then the petition's text, dates, response and debate."""
    document = QTextDocument()
    document.setPageSize(QSizeF(page_width, page_width * 1.41))
    width = int(page_width)
    image = chart_export.render_image(spec, max(width, 400), max(int(width * 9 / 16), 225), 2.0)
    document.addResource(QTextDocument.ResourceType.ImageResource, CHART_RESOURCE, image)
    cursor = QTextCursor(document)
    _heading(cursor, spec.title, 16)
    _paragraph(cursor, chart_export.subtitle_line(spec))
    picture = QTextImageFormat()
    picture.setName(CHART_RESOURCE)
    picture.setWidth(page_width)
    picture.setHeight(page_width * image.height() / image.width())
    cursor.insertImage(picture)
    cursor.insertBlock()
    if petition is not None:
        _details(cursor, petition)
    _paragraph(cursor, chart_export.source_line(spec), size=8)
    return document


def _details(cursor: QTextCursor, petition: Petition) -> None:
    facts = [state_label(petition), f"{format_count(petition.signature_count)} signatures",
             f"Opened {format_date(petition.opened_at)}" if petition.opened_at else "",
             f"Closes {format_date(petition.closing_date)}" if petition.closing_date else ""]
    _paragraph(cursor, " · ".join(fact for fact in facts if fact))
    for title, text in (("Background", petition.background), ("More details", petition.additional_details)):
        if text:
            _heading(cursor, title, 12)
            _paragraph(cursor, text)
    response = petition.government_response
    if response is not None:
        _heading(cursor, f"Government response ({format_date(response.responded_on)})", 12)
        _paragraph(cursor, response.summary or "")
        _paragraph(cursor, response.details or "")
    debate = petition.debate
    if debate is not None and debate.debated_on:
        _heading(cursor, f"Debated in Parliament on {format_date(debate.debated_on)}", 12)
        _paragraph(cursor, debate.overview or "")


def _heading(cursor: QTextCursor, text: str, points: int) -> None:
    style = QTextCharFormat()
    style.setFontPointSize(points)
    style.setFontWeight(QFont.Weight.Bold)
    cursor.insertText(text, style)
    cursor.insertBlock()


def _paragraph(cursor: QTextCursor, text: str, size: int = 10) -> None:
    if not text:
        return
    style = QTextCharFormat()
    style.setFontPointSize(size)
    cursor.insertText(text, style)  # insertText: plain text, whatever it contains
    cursor.insertBlock()


def paint(printer: QPrinter, spec: ChartSpec, petition: Petition | None) -> None:
    """Lay the document out on the printer's pages."""
    layout = printer.pageLayout()
    width = layout.paintRect(QPageLayout.Unit.Point).width()
    document = petition_document(spec, petition, width)
    document.print_(printer)


def print_preview(window: QWidget, spec: ChartSpec, petition: Petition | None) -> None:
    printer = _printer()
    preview = QPrintPreviewDialog(printer, window)
    preview.setWindowTitle("Print Preview")
    preview.paintRequested.connect(lambda target: paint(target, spec, petition))
    preview.exec()


def print_petition(window: QWidget, spec: ChartSpec, petition: Petition | None) -> None:
    printer = _printer()
    dialog = QPrintDialog(printer, window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        paint(printer, spec, petition)


def print_shown(window, preview: bool) -> None:
    """Print (or preview) the petition the window shows; with nothing recorded yet, say so instead."""
    subject = window.presenter.export_subject()
    if subject is None or not window.presenter.times.size:
        window.status.answer("There is nothing to print yet: select a petition with recorded counts.")
        return
    spec = window.chart.export_spec(subject.petition_id)
    (print_preview if preview else print_petition)(window, spec, subject.petition)


def _printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    return printer


__all__ = ["paint", "petition_document", "print_petition", "print_preview", "print_shown"]
