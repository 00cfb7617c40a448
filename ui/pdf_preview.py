"""A PDF print preview (QtPdf): page navigation, zoom, and printing through QPrinter.

``PdfPreview.load(path)`` shows a file; ``print_dialog()`` asks for a printer (QPrintDialog)
and prints; ``print_to(printer)`` renders the pages with ``QPdfDocument.render`` into the
printer's painter (also used by the tests with a PDF-file printer). The widget never writes or
deletes the file it shows; call ``close_document()`` before the owner deletes it (Windows keeps
an open file locked).
"""
from __future__ import annotations

from PySide6.QtCore import QMarginsF, QPointF, QRect, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QProgressDialog,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ui import dialogs

# Rendering a page as an image at 600 dpi takes ~140 MB and ~0.5 s; 300 dpi prints Chinese body
# text crisply at a quarter of that. Printers reporting more are fed 300 dpi images, scaled.
MAX_PRINT_DPI = 300
ZOOMS = [("适合宽度", "width"), ("整页", "page"), ("50%", "0.5"), ("75%", "0.75"),
         ("100%", "1"), ("125%", "1.25"), ("150%", "1.5"), ("200%", "2")]


class PdfPreview(QWidget):
    """Toolbar (page, zoom) over a continuous QPdfView."""

    loaded = Signal(int)  # page count

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.path: str | None = None
        self.title = ""
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a96a3; }")

        self.prev_button = QPushButton("上一页")
        self.next_button = QPushButton("下一页")
        self.page_spin = QSpinBox()
        self.page_spin.setMinimum(1)
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.setMinimumWidth(64)
        self.page_count_label = QLabel("/ 0 页")
        self.zoom = QComboBox()
        for text, data in ZOOMS:
            self.zoom.addItem(text, data)
        self.zoom_out_button = QPushButton("－")
        self.zoom_in_button = QPushButton("＋")
        for b in (self.zoom_out_button, self.zoom_in_button):
            b.setFixedWidth(32)
        self.zoom_out_button.setToolTip("缩小")
        self.zoom_in_button.setToolTip("放大")

        self.prev_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_spin.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.zoom.currentIndexChanged.connect(self._zoom_chosen)
        self.zoom_in_button.clicked.connect(lambda: self._step_zoom(1.25))
        self.zoom_out_button.clicked.connect(lambda: self._step_zoom(0.8))
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.prev_button)
        bar.addWidget(QLabel("第"))
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_count_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(QLabel("缩放"))
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom)
        bar.addWidget(self.zoom_in_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        self._update_controls()

    # -- document
    def load(self, path: str, title: str = "") -> int:
        """Show ``path``; returns the page count (0 when the file cannot be read)."""
        self.close_document()
        error = self.document.load(path)
        if error != QPdfDocument.Error.None_:
            self.document.close()
            raise OSError(f"无法打开预览文件（{error.name}）：{path}")
        self.path, self.title = path, title
        self.view.pageNavigator().jump(0, QPointF(), 0)
        self._update_controls()
        self.loaded.emit(self.document.pageCount())
        return self.document.pageCount()

    def close_document(self) -> None:
        self.path = None
        self.document.close()
        self._update_controls()

    def page_count(self) -> int:
        return self.document.pageCount() if self.path else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        n = self.page_count()
        if not n:
            return
        page = max(0, min(page, n - 1))
        if page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_controls()

    def _page_changed(self, _page: int) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        n, cur = self.page_count(), self.current_page()
        self.page_spin.blockSignals(True)
        self.page_spin.setMaximum(max(n, 1))
        self.page_spin.setValue(cur + 1 if n else 1)
        self.page_spin.blockSignals(False)
        self.page_count_label.setText(f"/ {n} 页")
        for w in (self.page_spin, self.zoom, self.zoom_in_button, self.zoom_out_button):
            w.setEnabled(bool(n))
        self.prev_button.setEnabled(n > 0 and cur > 0)
        self.next_button.setEnabled(n > 0 and cur < n - 1)

    # -- zoom
    def _zoom_chosen(self, _index: int) -> None:
        data = self.zoom.currentData()
        if data == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif data == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(data))

    def _step_zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            # the view's factor in fit modes is relative; start from the nearest fixed step
            current = 1.0
        z = max(0.25, min(current * factor, 4.0))
        self.zoom.blockSignals(True)
        i = self.zoom.findData(f"{z:g}")
        if i < 0:
            self.zoom.addItem(f"{round(z * 100)}%", f"{z:g}")
            i = self.zoom.count() - 1
        self.zoom.setCurrentIndex(i)
        self.zoom.blockSignals(False)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(z)

    # -- printing
    def print_dialog(self) -> bool:
        """Ask for a printer and pages, then print. Returns True when pages were sent."""
        n = self.page_count()
        if not n:
            dialogs.info(self, "请先生成要打印的文书。")
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title or "清风台账")
        _match_page(printer, self.document.pagePointSize(0))
        dlg = QPrintDialog(printer, self)
        dlg.setWindowTitle(f"打印 — {self.title}" if self.title else "打印")
        dlg.setMinMax(1, n)
        dlg.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dlg.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        return self.print_to(printer, match_page=False)

    def print_to(self, printer: QPrinter, *, match_page: bool = True) -> bool:
        """Render the chosen pages (``printer.fromPage()``–``toPage()``, 1-based; 0 = all) into
        the printer at its resolution (capped at MAX_PRINT_DPI), one page image at a time, with
        a cancellable progress dialog. ``match_page``: set paper and orientation from the first
        page (the print dialog does it before the clerk can change them). Returns False when
        cancelled or the printer fails."""
        n = self.page_count()
        if not n:
            return False
        first = max(printer.fromPage(), 1) - 1 if printer.fromPage() else 0
        last = min(printer.toPage(), n) - 1 if printer.toPage() else n - 1
        pages = list(range(first, last + 1))
        if not pages:
            return False
        if match_page:
            _match_page(printer, self.document.pagePointSize(pages[0]))
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            dialogs.error(self, "无法开始打印：打印机不可用或被占用。请检查打印机是否开机、联网，"
                                "或在“打印”对话框中换一台打印机后重试。")
            return False
        progress = QProgressDialog("正在打印……", "取消", 0, len(pages), self)
        progress.setWindowTitle(dialogs.TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)
        options = QPdfDocumentRenderOptions()
        ok = True
        try:
            for k, page in enumerate(pages):
                if progress.wasCanceled():
                    printer.abort()
                    ok = False
                    break
                progress.setValue(k)
                progress.setLabelText(f"正在打印第 {k + 1} / {len(pages)} 页……")
                QApplication.processEvents()
                if k:
                    printer.newPage()
                target = painter.viewport()
                size_pt = self.document.pagePointSize(page)
                dpi = min(printer.resolution(), MAX_PRINT_DPI)
                px = QSize(max(1, round(size_pt.width() / 72 * dpi)),
                           max(1, round(size_pt.height() / 72 * dpi)))
                image = self.document.render(page, px, options)
                painter.drawImage(_fit(target, px), image)
            progress.setValue(len(pages))
        finally:
            painter.end()
            progress.close()
            progress.deleteLater()
        return ok


def _match_page(printer: QPrinter, size_pt: QSizeF) -> None:
    """Paper and orientation as the PDF page (A4 portrait, A4/A3 landscape)."""
    w, h = size_pt.width(), size_pt.height()
    if w <= 0 or h <= 0:
        return
    landscape = w > h
    short, long_ = (h, w) if landscape else (w, h)
    size = QPageSize(QSizeF(short, long_), QPageSize.Unit.Point, "",
                     QPageSize.SizeMatchPolicy.FuzzyMatch)
    layout = QPageLayout(size, QPageLayout.Orientation.Landscape if landscape
                         else QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    printer.setPageLayout(layout)


def _fit(target: QRect, size: QSize) -> QRect:
    """``size`` scaled into ``target`` keeping its proportions, centred."""
    scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = target.x() + (target.width() - scaled.width()) // 2
    y = target.y() + (target.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())
