"""Small multiples and legends of the Compare panel, fed a fake 3-factor grid (no workers)."""

import itertools

import pytest

from app.panels.compare import ComparePanel
from app.panels.compare.facets import facet_factors
from engine import grid_worker as msgs
from engine.experiments import RunResult, RunSpec

NAMES = ["activation", "init_std", "batchnorm"]
LEVELS = (("relu", "tanh"), (1.0, 0.1, 0.01), (False, True))


def grid():
    """2 × 3 × 2 configurations × 2 seeds; test accuracy encodes the configuration."""
    out = []
    for cid, (act, std, bn) in enumerate(itertools.product(*LEVELS)):
        for seed in (0, 1):
            acc = 0.5 + 0.2 * bn + 0.1 * (act == "relu") + 0.01 * seed + 0.001 * cid
            curves = {"test_accuracy": [0.1, acc / 2, acc], "train_accuracy": [0.1, acc, acc],
                      "train_loss": [2.0, 1.0, 0.5], "test_loss": [2.0, 1.1, 0.6]}
            out.append(RunResult((("activation", act), ("init_std", std), ("batchnorm", bn)), cid, seed, curves))
    return out


@pytest.fixture
def panel(qtbot):
    p = ComparePanel(workers=1)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    yield p
    assert p.shutdown()


def feed(panel, results):
    specs = [RunSpec(r.config, r.config_id, r.seed, None, None) for r in results]
    panel.model.start(specs, NAMES)
    for i, r in enumerate(results):
        panel.model.consume(msgs.RunFinished(i, r))
        panel.redraw()  # as the workers report: curves appear run by run


def test_facet_factors_leave_out_the_colour_factor():
    assert facet_factors(NAMES, "activation") == ("init_std", "batchnorm")
    assert facet_factors(NAMES, "batchnorm") == ("activation", "init_std")
    assert facet_factors(["lr"], "lr") == ("", "")


def test_three_factors_facet_into_a_grid_of_small_plots(qtbot, panel):
    panel.model.update(color_by="activation", style_by="batchnorm")
    feed(panel, grid())
    facets = panel.grid_view.facets
    assert (facets.row_by, facets.col_by) == ("init_std", "batchnorm")
    assert sorted(facets.cells) == [(i, j) for i in range(3) for j in range(2)]
    assert len(facets.curves) == 12
    # configuration 7 = tanh, std 1, batch norm on → row 0 (std 1), column 1 (on), its mean final accuracy
    cell = facets.cells[(0, 1)]
    items = [c for c in cell.listDataItems()]
    assert facets.curves[7] in items and len(items) == 2
    y = facets.curves[7].getData()[1]
    assert y[-1] == pytest.approx(0.5 + 0.2 + 0.005 + 0.007)
    assert "Init std 1" in cell.titleLabel.text and "Batch norm on" in cell.titleLabel.text
    assert [label.text for _sample, label in facets.legend.items] == ["Activation relu", "Activation tanh"]
    panel.grid_view.plot_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: facets.isVisible())


def test_the_main_legend_lists_every_level(qtbot, panel):
    results = []
    stds = [10.0 ** (-k / 4) for k in range(16)]
    for cid, std in enumerate(stds):
        results.append(RunResult((("init_std", std),), cid, 0, {"test_accuracy": [0.1, 0.2], "train_accuracy": [0.1, 0.2],
                                                                 "train_loss": [1, 1], "test_loss": [1, 1]}))
    specs = [RunSpec(r.config, r.config_id, r.seed, None, None) for r in results]
    panel.model.start(specs, ["init_std"])
    for i, r in enumerate(results):
        panel.model.consume(msgs.RunFinished(i, r))
    panel.redraw()
    assert len(panel.curves.legend.items) == 16
