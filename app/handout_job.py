"""Writing a handout: run each scene on its panel, picture it, paint its page into a PDF.

``HandoutJob`` works on the GUI thread one scene per event-loop turn (the panels' engine work
still runs in their workers, as always): it opens the scene (``window.lecture.open``), waits for
its ``SceneRun``, grabs the panel, paints the page (``app.handout.paint_page``) with Qt's
QPdfWriter and moves on; after the last scene the answers pages follow (the registered answer
providers, read from each panel's model right after its scene ran). ``cancel()`` stops after the scene in flight and removes the partial
file. ``write_handout`` is the command line (``--handout``); ``export_handout_dialog`` is
File ▸ Export handout… with a QProgressDialog whose Cancel cancels the job.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter, QPdfWriter
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from app import handout
from app.i18n import tr
from app.lecture.scene import PARTS

PDF_DPI = 300


class HandoutJob(QObject):
    """``HandoutJob(window, scenes, path)``: ``start()``, ``progress(done, total)``, ``finished(ok)``.

    ``keep`` pages (data and picture) stay in ``pages`` for previews; ``failures`` lists the
    scenes whose run failed or whose checks did not hold (their pages are written all the same).
    """

    progress = Signal(int, int)
    finished = Signal(bool)

    def __init__(self, window, scenes, path: str, keep: int = 0, timeout_ms: int = 120_000, parent=None):
        super().__init__(parent or window)
        self.window, self.scenes, self.path = window, list(scenes), path
        self.keep, self.timeout_ms = keep, timeout_ms
        self.pages: list[handout.HandoutPage] = []
        self.answers: list[handout.AnswerEntry] = []
        self.answer_pages = 0
        self.failures: list[tuple[str, str]] = []
        self.timings: list[tuple[str, float]] = []  # (scene, seconds from opening it to its page)
        self._clock = QElapsedTimer()
        self.ok: bool | None = None
        self.message = ""
        self.cancelled = False
        self._index = 0
        self._run = None
        self._writer: QPdfWriter | None = None
        self._painter: QPainter | None = None

    @property
    def running(self) -> bool:
        return self._painter is not None

    def start(self) -> "HandoutJob":
        if not self.scenes:
            raise ValueError("a handout needs at least one scene")
        from app.lecture import exercise_handout

        exercise_handout.register()
        writer = QPdfWriter(self.path)
        writer.setResolution(PDF_DPI)
        writer.setPageLayout(handout.page_layout())
        writer.setTitle(tr("GradLab lecture handout"))
        writer.setCreator("GradLab")
        self._writer = writer
        self._painter = QPainter(writer)
        if not self._painter.isActive():
            self._painter = None
            self._finish(False, tr("could not write {path}").format(path=self.path))
            return self
        QTimer.singleShot(0, self, self._next)
        return self

    def cancel(self) -> None:
        """Stop (the scene in flight is abandoned) and remove the partial file."""
        if self.ok is not None:
            return
        self.cancelled = True
        if self._run is not None:
            self._run.cancel()
        self._finish(False)

    def _next(self) -> None:
        if self.ok is not None:
            return
        if self._index >= len(self.scenes):
            self._paint_answers()
            self._finish(True)
            return
        scene = self.scenes[self._index]
        self._clock.start()
        self._run = self.window.lecture.open(scene.name, self.timeout_ms)
        if self._run.ok is not None:
            QTimer.singleShot(0, self, self._capture)
        else:
            self._run.done.connect(lambda _ok: QTimer.singleShot(0, self, self._capture))

    def _capture(self) -> None:
        """The scene has run: picture its panel and paint its page."""
        if self.ok is not None or self._run is None:
            return
        run, self._run = self._run, None
        scene = run.scene
        if run.message or run.problems:
            self.failures.append((scene.name, run.message or "; ".join(run.problems)))
        panel = self.window.show_panel(scene.panel_id)
        image = panel.grab().toImage()
        if not run.message:
            answers = handout.answers_for(scene, getattr(panel, "model", None))
            if answers:
                self.answers.append(handout.AnswerEntry(self._index + 1, tr(scene.title), answers))
        page = handout.HandoutPage(
            name=scene.name, part=tr(PARTS[scene.part]), title=tr(scene.title), explanation=tr(scene.explanation),
            image=image, number=self._index + 1, count=len(self.scenes), questions=handout.questions_for(scene))
        if self._index > 0:
            self._writer.newPage()
        rect = self._writer.pageLayout().paintRectPixels(self._writer.resolution())
        handout.paint_page(self._painter, QRectF(0, 0, rect.width(), rect.height()), page)
        self.timings.append((scene.name, self._clock.elapsed() / 1000))
        if len(self.pages) < self.keep:
            self.pages.append(page)
        self._index += 1
        self.progress.emit(self._index, len(self.scenes))
        QTimer.singleShot(0, self, self._next)

    def _paint_answers(self) -> None:
        """The answers pages after the scenes' pages, as many as the answers need."""
        rect = self._writer.pageLayout().paintRectPixels(self._writer.resolution())
        index = 0
        while index < len(self.answers):
            self._writer.newPage()
            index = handout.paint_answers(self._painter, QRectF(0, 0, rect.width(), rect.height()), self.answers, index)
            self.answer_pages += 1

    def _finish(self, ok: bool, message: str = "") -> None:
        if self._painter is not None:
            self._painter.end()
            self._painter = None
        self._writer = None
        if not ok and os.path.exists(self.path):
            os.remove(self.path)
        self.ok, self.message = ok, message
        self.finished.emit(ok)

    def wait(self) -> bool:
        """Spin the event loop until the job has finished; True if the PDF was written."""
        if self.ok is None:
            loop = QEventLoop()
            self.finished.connect(loop.quit)
            if self.ok is None:
                loop.exec()
        return bool(self.ok)


def write_handout(window, path: str, part: int | None = None, previews: list[str] = (), out=None) -> int:
    """``--handout FILE.pdf [--part N]``: write it and return the exit code (messages to ``out``)."""
    from app.lecture import catalogue

    out = out or sys.stderr
    try:
        scenes = handout.select_scenes(catalogue.scenes().values(), part)
    except ValueError as exc:
        print(exc, file=out)
        return 2
    job = HandoutJob(window, scenes, path, keep=len(previews)).start()
    ok = job.wait()
    for name, problem in job.failures:  # written all the same: the picture shows why
        print(tr("scene {name}: a check failed: {problem}").format(name=name, problem=problem), file=out)
    if not ok:
        print(job.message or tr("could not write {path}").format(path=path), file=out)
        return 1
    for page, preview in zip(job.pages, previews):
        handout.render_png(page, preview)
    return 0


def export_handout_dialog(window) -> HandoutJob | None:
    """File ▸ Export handout…: ask for the file, then write it behind a progress dialog with Cancel."""
    from app.lecture import catalogue

    path, _ = QFileDialog.getSaveFileName(window, tr("Export handout"), "gradlab-handout.pdf",
                                          tr("PDF documents (*.pdf)"))
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    return start_with_progress(window, list(catalogue.scenes().values()), path)


def start_with_progress(window, scenes, path: str) -> HandoutJob:
    """Start a job on ``scenes`` behind a QProgressDialog (Cancel cancels it); returns the job."""
    dialog = QProgressDialog(tr("Writing the handout…"), tr("Cancel"), 0, len(scenes), window)
    dialog.setObjectName("handoutProgress")
    dialog.setWindowTitle(tr("Export handout"))
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    job = HandoutJob(window, scenes, path)
    job.progress.connect(lambda done, total: dialog.setValue(done))
    dialog.canceled.connect(job.cancel)

    def finished(ok: bool) -> None:
        dialog.canceled.disconnect(job.cancel)
        dialog.close()
        dialog.deleteLater()
        if ok:
            window.statusBar().showMessage(tr("Saved {path}").format(path=path), 8000)
        elif not job.cancelled:
            window.statusBar().showMessage(job.message or tr("Could not write {path}").format(path=path), 10000)

    job.finished.connect(finished)
    dialog.show()
    return job.start()
