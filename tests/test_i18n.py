"""Korean and English: the catalogue, ``tr``, ``--lang``, the runtime switch, and the walk test.

The walk test builds the window in Korean, visits every panel (every inner tab too, so lazily
built pages exist), and walks the widget tree and the plots: every visible string with Latin
words must contain Hangul unless those words are math or proper names (``ALLOWED``). The same
walk in English must find no Hangul. It runs once per panel, so an untranslated panel shows up
by name; panels that are not installed are skipped.
"""

import ast
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsTextItem,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app import fonts, i18n
from app import panels as registry
from app.i18n import tr

ROOT = Path(__file__).resolve().parents[1]
KO_DIR = ROOT / "resources" / "i18n" / "ko"
ALL_PANELS = [info.panel_id for info in registry.KNOWN]

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
#: Words that may stay in Latin letters in Korean mode: proper names, optimizer and activation
#: names, library names, units, math functions and symbols used inside formulas.
ALLOWED = {
    # names of methods, functions and people
    "English", "GradLab", "PyTorch", "torch", "NumPy", "MNIST", "Xavier", "Glorot", "He", "Kaiming", "LeCun",
    "SGD", "GD", "Momentum", "NAG", "Nesterov", "AdaGrad", "Adagrad", "RMSProp", "RMSprop", "Adam",
    "ReLU", "PReLU", "ELU", "Leaky", "Sigmoid", "sigmoid", "Tanh", "tanh", "Softmax", "softmax",
    "Rosenbrock", "Beale", "Himmelblau", "Rastrigin", "XOR", "Gaussian", "Kaiming", "BN", "MSE",
    "Qt", "PySide", "pyqtgraph", "Python", "OFL", "NanumGothic", "SVG", "PNG", "CSV", "JSON", "Ctrl",
    "Shift", "Alt", "Space", "Esc", "PgUp", "PgDown", "Del", "Backspace", "Enter", "Tab", "Home", "End",
    # math inside formulas and read-outs
    "std", "max", "min", "exp", "log", "ln", "sqrt", "if", "else", "lr", "eps", "RMS", "argmax", "mean",
    "var", "fan_in", "fan_out", "in", "out", "dW", "db", "dx", "dy", "dL", "dz", "ReLUs", "nan", "inf",
    "NaN", "Inf", "Var", "Cov", "relu", "elu", "momentum", "nesterov", "alpha", "betas", "beta", "amsgrad",
    "lr_decay", "initial_accumulator_value", "decay_rate", "dampening", "True", "False", "None",
    "optim", "ms", "fps", "px", "pt", "s", "W", "b", "x", "y", "L", "M", "V", "G", "ex", "id", "cos", "sin",
}
PROPER_NAME = re.compile(r"^[A-Z][a-z]?[A-Z0-9]")  # acronyms and CamelCase like PReLU, MNIST


def untranslated(text: str) -> bool:
    """True if ``text`` has Latin words that are neither allowed nor accompanied by Hangul."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text or ""))
    plain = plain.replace("&", "")  # mnemonics: "&File"
    if HANGUL.search(plain):
        return False
    words = [w for w in WORD.findall(plain) if w not in ALLOWED and not PROPER_NAME.match(w)]
    words = [w for w in words if not re.fullmatch(r"[a-zA-Z]{1,2}\d*", w)]  # variables: x, dW, z3
    return bool(words)


def widget_texts(root: QWidget, skip=()) -> list[tuple[str, str]]:
    """Every user-visible string under ``root`` (not under ``skip``): ``[(where, text), ...]``."""
    found: list[tuple[str, str]] = []

    def add(where, text):
        if text and text.strip():
            found.append((where, text))

    widgets = [root, *root.findChildren(QWidget)]
    skipped = set(skip)
    for s in skip:
        skipped.update(s.findChildren(QWidget))
    for w in widgets:
        if w in skipped:
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        add(f"{name} tooltip", w.toolTip())
        add(f"{name} title", w.windowTitle() if w.isWindow() else "")
        if isinstance(w, QLabel):
            add(name, w.text())
        elif isinstance(w, QAbstractButton):
            add(name, w.text())
        elif isinstance(w, QGroupBox):
            add(name, w.title())
        elif isinstance(w, QLineEdit):
            add(f"{name} placeholder", w.placeholderText())
        elif isinstance(w, QTextEdit):
            add(name, w.toPlainText())
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                add(f"{name} tab {i}", w.tabText(i))
                add(f"{name} tab {i} tooltip", w.tabToolTip(i))
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(f"{name} tab {i}", w.tabText(i))
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                add(f"{name} item {i}", w.itemText(i))
                add(f"{name} item {i} tooltip", w.itemData(i, Qt.ItemDataRole.ToolTipRole))
        if isinstance(w, QAbstractSpinBox):
            add(f"{name} suffix", getattr(w, "suffix", lambda: "")())
            add(f"{name} prefix", getattr(w, "prefix", lambda: "")())
            add(f"{name} special", w.specialValueText())
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                add(f"{name} item {i}", w.item(i).text())
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            rows = model.rowCount(QModelIndex())
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list model hides its columnCount
                columns = 1
            for orientation, count in ((Qt.Orientation.Horizontal, columns), (Qt.Orientation.Vertical, rows)):
                for i in range(count):
                    value = model.headerData(i, orientation, Qt.ItemDataRole.DisplayRole)
                    tip = model.headerData(i, orientation, Qt.ItemDataRole.ToolTipRole)
                    add(f"{name} header {i}", value if isinstance(value, str) else "")
                    add(f"{name} header {i} tooltip", tip if isinstance(tip, str) else "")
            for r in range(rows):
                for c in range(columns):
                    index = model.index(r, c)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        add(f"{name} cell {r},{c}", value if isinstance(value, str) else "")
        for action in w.actions():
            add(f"{name} action", action.text())
            add(f"{name} action tooltip", action.toolTip())
            if action.menu() is not None:
                for sub in action.menu().actions():
                    add(f"{name} menu action", sub.text())
        if isinstance(w, pg.GraphicsView) and w.scene() is not None:
            found.extend(plot_texts(w, name))
    return found


def plot_texts(view: pg.GraphicsView, name: str) -> list[tuple[str, str]]:
    """Titles, axis labels, legend entries, text items and custom ticks of a pyqtgraph view."""
    found = []
    for item in view.scene().items():
        if isinstance(item, QGraphicsTextItem) and item.isVisible():
            found.append((f"{name} plot text", item.toPlainText()))
        if isinstance(item, pg.AxisItem) and item.isVisible():
            for level in item._tickLevels or []:
                for _value, label in level:
                    found.append((f"{name} axis tick", str(label)))
    return [(w, t) for w, t in found if t and t.strip()]


def visit_everything(panel: QWidget, qtbot) -> None:
    """Show every inner tab of ``panel`` once (lazy pages get built), then the first again."""
    for _ in range(3):  # tabs built by a page may hold more tabs
        for tabs in panel.findChildren(QTabWidget):
            current = tabs.currentIndex()
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                qtbot.wait(20)
            tabs.setCurrentIndex(current)
    qtbot.wait(50)


@pytest.fixture
def korean(qapp):
    i18n.set_language("ko")
    yield
    i18n.set_language("en")
    fonts.apply_language_font(qapp, "en")  # and Qt's own translations go too


def open_window(qtbot, panel_id: str):
    from app.main_window import MainWindow

    w = MainWindow(panel=panel_id, persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    p = w.current_panel()
    assert p.wait_ready(timeout_ms=30000), p.last_error
    visit_everything(p, qtbot)
    return w, p


# ---- the catalogue ---------------------------------------------------------------------------------
def test_catalogue_files_are_flat_korean_objects():
    files = sorted(KO_DIR.glob("*.json"))
    assert files, "no Korean catalogue files"
    keys: dict[str, str] = {}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), path
        for key, value in data.items():
            assert isinstance(value, str) and value.strip(), f"{path.name}: {key!r} has no translation"
            assert HANGUL.search(value) or not untranslated(value), f"{path.name}: {key!r} → {value!r} is not Korean"
            assert set(re.findall(r"\{\w*\}", key)) == set(re.findall(r"\{\w*\}", value)), (
                f"{path.name}: placeholders of {key!r} and {value!r} differ"
            )
            if key in keys and keys[key] != value:
                pytest.fail(f"{key!r} is translated twice, differently ({keys[key]!r} and {value!r})")
            keys[key] = value
    assert "&File" in i18n.load_catalogue("ko")


def test_broken_catalogue_is_a_value_error(tmp_path):
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "a.json").write_text('{"Play": ""}', encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty"):
        i18n.load_catalogue("ko", tmp_path)
    (tmp_path / "ko" / "a.json").write_text('["Play"]', encoding="utf-8")
    with pytest.raises(ValueError, match="JSON object"):
        i18n.load_catalogue("ko", tmp_path)


def test_tr_translates_falls_back_and_formats(korean):
    assert tr("&Play") == "재생(&P)"
    assert tr("Saved {path}").format(path="a.png") == "a.png에 저장했습니다"
    assert tr("no such English text") == "no such English text"
    assert "no such English text" in i18n.missing()
    i18n.set_language("en")
    assert tr("&Play") == "&Play" and i18n.language() == "en"


def test_engine_messages_are_translated_with_their_numbers(korean):
    from engine.backprop_trace import TEXTS

    from app.stop_text import stop_text
    from engine.training import StopReason

    # a trainer's stop reason is data: worded from its fields, never parsed back from English
    assert stop_text(StopReason("diverged", 12, problem="loss", value=float("nan"))) == "12단계에서 발산 (손실 = nan)"
    assert stop_text(StopReason("finished", 60, epochs=3)) == "3에폭 완료 (60단계)"
    assert i18n.tr_message("left the view at step 3 (at x=1.5, y=−2)") == "3단계에서 화면을 벗어남 (x=1.5, y=−2)"
    # a field used twice must match the same text twice; English fields are translated too
    text = TEXTS["dloss_mse"].format(node="y₁")
    assert i18n.tr_message(text, TEXTS.values()).startswith("역전파는 손실에서 시작합니다: ∂L/∂y₁ = y₁ − t")
    assert i18n.tr_message("the input needs 2 numbers, got 1") == "the input needs 2 numbers, got 1"  # not a template here
    from app.panels.backprop import ENGINE_ERRORS

    assert i18n.tr_message("the input must be a number, got 'x'", ENGINE_ERRORS) == "입력은 숫자여야 합니다. 입력: 'x'"  # 은(는) resolved by app.korean_particles
    assert i18n.tr_message("something new") == "something new"


def test_languages_and_bad_codes():
    assert i18n.available_languages() == [("en", "English"), ("ko", "한국어")]
    assert i18n.check_language(" KO ") == "ko"
    with pytest.raises(ValueError, match="choose one of: en, ko"):
        i18n.set_language("fr")
    assert i18n.language() == "en"


@pytest.mark.parametrize("module", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")))
def test_every_tr_literal_has_a_korean_entry(module):
    """Strings shown only in rare states (errors, divergence) are checked here, not by the walk."""
    catalogue = i18n.load_catalogue("ko")
    missing = []
    for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in catalogue:
                missing.append(f"{module}:{node.lineno}: {arg.value!r}")
    assert not missing, "no Korean for:\n" + "\n".join(missing)


# ---- start-up language -----------------------------------------------------------------------------
def test_startup_language_order(monkeypatch):
    store = QSettings()
    store.setValue(i18n.SETTINGS_KEY, "ko")
    assert i18n.startup_language("en", store) == "en"  # --lang wins
    assert i18n.startup_language(None, store) == "ko"  # then the saved choice
    store.setValue(i18n.SETTINGS_KEY, "klingon")  # a stale value is ignored
    monkeypatch.setattr(i18n, "system_language", lambda: "ko")
    assert i18n.startup_language(None, store) == "ko"  # then the system locale
    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    assert i18n.startup_language(None, None) == "en"


def test_system_language_follows_qlocale(monkeypatch):
    from PySide6.QtCore import QLocale

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.Korean, QLocale.Country.SouthKorea)))
    assert i18n.system_language() == "ko"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.German)))
    assert i18n.system_language() == "en"


def _run_main(args, tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_lang_on_the_command_line(tmp_path):
    out = tmp_path / "ko.png"
    done = _run_main(["--lang", "ko", "--panel", "activations", "--screenshot", str(out), "--size", "800x600"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.exists()
    bad = _run_main(["--lang", "fr"], tmp_path)
    assert bad.returncode == 2 and "choose one of: en, ko" in bad.stderr


def test_lang_persists_in_settings(qtbot, monkeypatch):
    """``--lang ko`` is remembered; the next start without ``--lang`` is Korean again."""
    from app import launcher, main_window

    shown = []

    class Stop(Exception):
        pass

    def fake_window(*args, **kwargs):
        shown.append(i18n.language())
        raise Stop

    monkeypatch.setattr(main_window, "MainWindow", fake_window)
    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    try:
        for argv in (["--lang", "ko"], []):
            with pytest.raises(Stop):
                launcher.run(argv)
        assert shown == ["ko", "ko"]
        assert main_window.settings().value(i18n.SETTINGS_KEY) == "ko"
    finally:
        i18n.set_language("en")
        fonts.apply_language_font(QApplication.instance(), "en")


# ---- fonts -----------------------------------------------------------------------------------------
def test_bundled_font_renders_hangul(korean, qtbot):
    families = fonts.register_fonts()
    assert fonts.HANGUL_FAMILY in families
    font = fonts.apply_language_font(QApplication.instance(), "ko")
    assert fonts.HANGUL_FAMILY in font.families()
    assert QFontDatabase.writingSystems(fonts.HANGUL_FAMILY).count(QFontDatabase.WritingSystem.Korean)
    metrics = QFontMetrics(QFont(fonts.HANGUL_FAMILY))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "활성화함수기울기소실")
    en = fonts.apply_language_font(QApplication.instance(), "en")
    assert en.families()[-1] == fonts.HANGUL_FAMILY  # English keeps it as the Hangul fallback


NO_KOREAN_FONTS = """
import sys
from PySide6.QtGui import QFontDatabase, QFontMetrics, QFont
from PySide6.QtWidgets import QApplication
app = QApplication(["x"])
korean = [f for f in QFontDatabase.families() if QFontDatabase.WritingSystem.Korean in QFontDatabase.writingSystems(f)]
assert not korean, korean
from app import fonts
font = fonts.apply_language_font(app, "ko")
metrics = QFontMetrics(app.font())
assert all(metrics.inFontUcs4(ord(ch)) for ch in "활성화 함수"), app.font().families()
print("ok", app.font().families())
"""


def test_hangul_renders_on_a_machine_without_korean_fonts(tmp_path):
    """fontconfig sees only DejaVu (no fonts-nanum): the bundled font still covers Hangul."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("needs DejaVu fonts to stand in for a fresh machine's fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f"<?xml version='1.0'?><fontconfig><dir>{dejavu}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", NO_KOREAN_FONTS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("ok"), done.stderr


def test_plot_context_menus_follow_the_language(korean, qtbot):
    """pyqtgraph's right-click menu asks Qt to translate; the catalogue answers."""
    fonts.apply_language_font(QApplication.instance(), "ko")
    try:
        plot = pg.PlotWidget()
        qtbot.addWidget(plot)
        texts = [a.text() for a in plot.getPlotItem().vb.menu.actions() if a.text()]
        texts.append(plot.scene().contextMenu[0].text())
        assert texts and all(HANGUL.search(t) for t in texts), texts
    finally:
        fonts.apply_language_font(QApplication.instance(), "en")
    english = pg.PlotWidget()
    qtbot.addWidget(english)
    assert english.getPlotItem().vb.menu.actions()[0].text() == "View All"


# ---- the runtime switch ----------------------------------------------------------------------------
def test_switching_language_rebuilds_the_window(qtbot):
    from app.main_window import MainWindow, settings

    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    w.show()
    p = w.current_panel()
    assert p.wait_ready(timeout_ms=20000)
    p.depth_spin.setValue(17)
    assert p.state().depth == 17
    assert w.menuBar().actions()[0].text() == "&File"
    action = w.findChild(QAction, "actionLanguage_ko")
    try:
        action.trigger()
        new = w.replaced_by
        assert new is not None and new is not w
        qtbot.addWidget(new)
        assert i18n.language() == "ko"
        assert new.menuBar().actions()[0].text() == "파일(&F)"
        assert new.isVisible() and not w.isVisible()
        assert new.current_panel().panel_id == "activations"
        assert new.current_panel().state().depth == 17  # settings carried over
        assert new.current_panel().wait_ready(timeout_ms=20000)
        assert not p.is_busy()  # the old window's workers stopped (conftest checks the threads)
        assert settings().value(i18n.SETTINGS_KEY) == "ko"
        assert new.findChild(QAction, "actionLanguage_ko").isChecked()
        assert new.switch_language("ko") is new  # same language: nothing to rebuild
        back = new.switch_language("en")
        qtbot.addWidget(back)
        assert back.menuBar().actions()[0].text() == "&File"
        back.close()
    finally:
        i18n.set_language("en")
        fonts.apply_language_font(QApplication.instance(), "en")


# ---- the walk --------------------------------------------------------------------------------------
def test_walk_flags_english_and_passes_korean_and_math():
    assert untranslated("Learning rate")
    assert untranslated("<b>Play</b> the race")
    assert not untranslated("학습률")
    assert not untranslated("ReLU")
    assert not untranslated("f(x) = max(0, x)")
    assert not untranslated("Xavier (Glorot)")
    assert not untranslated("W ← W − lr·g / (√G + ε)")
    assert not untranslated("0.25")


def test_shell_is_translated(korean, qtbot):
    """Menus, toolbar, panel tabs and status bar (the panels have their own tests)."""
    from app.main_window import MainWindow
    from app.panels.base import Panel

    w = MainWindow(panel=ALL_PANELS[0], persist=False)
    qtbot.addWidget(w)
    panels = w.findChildren(Panel)
    texts = [(where, t) for where, t in widget_texts(w, skip=panels) if untranslated(t)]
    w.close()
    assert not texts, "\n".join(f"{where}: {t!r}" for where, t in texts)


@pytest.mark.parametrize("panel_id", ALL_PANELS)
def test_every_string_of_the_panel_is_korean(panel_id, korean, qtbot):
    if panel_id not in registry.PANELS:
        pytest.skip(f"the {panel_id} panel is not installed")
    w, p = open_window(qtbot, panel_id)
    try:
        texts = widget_texts(p)
        bad = [(where, t) for where, t in texts if untranslated(t)]
        tab = w.tabs.tabText(w.tabs.currentIndex())
    finally:
        w.close()
    assert len(texts) > 20 and sum(bool(HANGUL.search(t)) for _w, t in texts) > 10  # the walk saw the panel
    assert HANGUL.search(tab), f"tab title {tab!r}"
    assert not bad, f"{len(bad)} untranslated strings in the {panel_id} panel:\n" + "\n".join(
        f"  {where}: {t!r}" for where, t in bad
    )


@pytest.mark.parametrize("panel_id", ALL_PANELS)
def test_english_has_no_hangul(panel_id, qtbot):
    if panel_id not in registry.PANELS:
        pytest.skip(f"the {panel_id} panel is not installed")
    assert i18n.language() == "en"
    w, p = open_window(qtbot, panel_id)
    try:
        endonyms = {name for _code, name in i18n.available_languages()}  # the Language menu
        bad = [(where, t) for where, t in widget_texts(w) if HANGUL.search(t) and t not in endonyms]
    finally:
        w.close()
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)
