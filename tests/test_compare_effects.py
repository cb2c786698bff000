"""Paired effects of one factor (app.models.compare_effects) against differences by hand."""

import math

import pytest

from app.models import compare_effects as ce
from engine.experiments import RunResult

NAMES = ["init_std", "batchnorm"]


def run(cid, std, bn, seed, acc):
    return RunResult(config=(("init_std", std), ("batchnorm", bn)), config_id=cid, seed=seed,
                     curves={"test_accuracy": [0.1, acc], "train_accuracy": [0.1, acc + 0.05],
                             "train_loss": [2.3, 1.0], "test_loss": [2.3, 1.1]})


def table():
    # test accuracy per (std, bn, seed)
    acc = {(1.0, False, 0): 0.10, (1.0, False, 1): 0.10, (1.0, True, 0): 0.20, (1.0, True, 1): 0.224,
           (0.01, False, 0): 0.80, (0.01, False, 1): 0.70, (0.01, True, 0): 0.90, (0.01, True, 1): 0.90}
    ids = {(1.0, False): 0, (1.0, True): 1, (0.01, False): 2, (0.01, True): 3}
    return [run(ids[(s, b)], s, b, seed, a) for (s, b, seed), a in acc.items()]


def test_batchnorm_effect_pairs_by_seed_and_other_levels():
    found = ce.effects(table(), NAMES, "batchnorm")
    assert [e.context for e in found] == [(("init_std", 1.0),), (("init_std", 0.01),)]
    e1, e2 = found
    # by hand: std 1: seed 0 +0.10, seed 1 +0.124 → mean 0.112, sd |0.024|/√2
    assert e1.baseline is False and e1.level is True and e1.seeds == (0, 1)
    assert e1.diff_mean == pytest.approx(0.112)
    assert e1.diff_sd == pytest.approx(0.024 / math.sqrt(2))
    assert (e1.base_mean, e1.level_mean) == (pytest.approx(0.10), pytest.approx(0.212))
    # std 0.01: +0.10 and +0.20 → 0.15, sd 0.1/√2
    assert e2.diff_mean == pytest.approx(0.15)
    assert e2.diff_sd == pytest.approx(0.1 / math.sqrt(2))
    assert ce.sentence(e1) == "Batch norm: at Init std 1, +11.2pp (10.0 → 21.2), sd 1.7 over 2 seeds"


def test_init_std_effect_and_ranking():
    found = ce.effects(table(), NAMES, "init_std")
    assert [e.context for e in found] == [(("batchnorm", False),), (("batchnorm", True),)]
    assert found[0].diff_mean == pytest.approx(0.65)  # (0.7 + 0.6) / 2
    assert found[1].diff_mean == pytest.approx(0.688)  # (0.7 + 0.676) / 2
    ranked = ce.ranking(table(), NAMES)
    assert [r[0] for r in ranked] == ["init_std", "batchnorm"]
    assert ranked[0][1] == pytest.approx((0.65 + 0.688) / 2)


def test_unpaired_or_diverged_runs_drop_out():
    runs = table()[:-1]  # seed 1 of (0.01, on) missing
    runs.append(RunResult(config=(("init_std", 0.01), ("batchnorm", True)), config_id=3, seed=1,
                          curves={"test_accuracy": [0.1, float("nan")], "train_accuracy": [0.1, float("nan")],
                                  "train_loss": [2.3, float("nan")], "test_loss": [2.3, float("nan")]},
                          status="diverged"))
    e2 = ce.effects(runs, NAMES, "batchnorm")[1]
    assert e2.seeds == (0,) and e2.diff_mean == pytest.approx(0.10) and e2.diff_sd == 0.0


def test_gap_metric_and_report():
    e = ce.effects(table(), NAMES, "batchnorm", metric="accuracy_gap")[0]
    assert e.diff_mean == pytest.approx(0.0)
    md = ce.report_markdown(table(), NAMES)
    assert "Mattered most: Init std" in md and "| Batch norm | 13.1 |" in md
    assert "+11.2pp (10.0 → 21.2)" in md
    with pytest.raises(ValueError):
        ce.effects(table(), NAMES, "dropout")


# ---- the view: the panel's Effects tab, fed the fake table ------------------------------------------
@pytest.fixture
def panel(qtbot):
    from app.panels.compare import ComparePanel
    p = ComparePanel(workers=1)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    yield p
    assert p.shutdown()


def feed(panel, results):
    """The fake runs as if the workers had reported them (the model's own message path)."""
    from engine import grid_worker as msgs
    from engine.experiments import RunSpec
    specs = [RunSpec(r.config, r.config_id, r.seed, None, None) for r in results]
    panel.model.start(specs, NAMES)
    for i, r in enumerate(results):
        panel.model.consume(msgs.RunFinished(i, r))
    panel.redraw()


def test_effects_tab_shows_the_paired_differences_and_writes_the_report(qtbot, panel, tmp_path):
    feed(panel, table())
    view = panel.grid_view.effects
    assert [view.factor_combo.itemData(i) for i in range(view.factor_combo.count())] == NAMES
    view.factor_combo.setCurrentIndex(1)  # batch norm
    assert view.table.rowCount() == 2
    assert [view.table.item(r, 4).text() for r in range(2)] == ["+11.2", "+15.0"]
    assert [view.table.item(r, 2).text() for r in range(2)] == ["10.0", "75.0"]
    assert "+11.2pp (10.0 → 21.2)" in view.sentences.text()
    assert "Mattered most: Init std" in view.report.toPlainText()
    view.write_report(str(tmp_path / "r.md"))
    assert "| Batch norm | 13.1 |" in (tmp_path / "r.md").read_text(encoding="utf-8")
    view.write_report(str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "Batch norm" in html
    assert view.report_button.isEnabled()


def test_report_button_saves_through_the_dialog(qtbot, panel, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    feed(panel, table())
    target = tmp_path / "out"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "HTML (*.html)"))
    with qtbot.waitSignal(panel.statusMessage):
        panel.grid_view.effects.report_button.click()
    assert (tmp_path / "out.html").exists()


def test_rerun_keeps_the_other_configurations_and_shifts_task_ids():
    """Model level: re-running configuration 1 keeps 0, 2, 3; the workers number the new runs from 0."""
    from app.models.compare import CompareModel, State
    from engine import grid_worker as msgs
    m = CompareModel(State().merged({"vary": ["activation"], "levels": {"activation": "relu, sigmoid, tanh"},
                                     "seeds": 1}))
    specs = m.plan()
    m.start(specs, ["activation"])
    fake = lambda s, acc: RunResult(s.config, s.config_id, s.seed, {k: [0.1, acc] for k in
                                    ("train_loss", "test_loss", "train_accuracy", "test_accuracy")}, weight_zeros=(0, 0, 1))
    for i, s in enumerate(specs):
        m.consume(msgs.RunFinished(i, fake(s, 0.5)))
    m.update(seeds=2)
    again = m.plan_selected([1])
    m.start_rerun(again)
    assert m.offset == 2 and len(m.specs) == 4 and sorted(m.results) == [0, 1]
    assert m.label(0) == again[0].label
    m.consume(msgs.RunFinished(0, fake(again[0], 0.9)))
    m.consume(msgs.RunFinished(1, fake(again[1], 0.7)))
    finals = {dict(c)["activation"]: v[0] for c, v in m.final("test_accuracy").items()}
    assert finals == {"relu": 0.5, "sigmoid": pytest.approx(0.8), "tanh": 0.5}
