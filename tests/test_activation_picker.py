"""The shared activation picker: α shown only where the activation has one, and it reaches the engine."""

import gc

import pytest

from app.widgets.activation_picker import ActivationPicker
from engine import activations


@pytest.fixture
def picker(qtbot):
    p = ActivationPicker(activations.elementwise_names(), "testActivation", "tip")
    qtbot.addWidget(p)
    p.show()
    return p


def test_alpha_is_shown_only_for_activations_with_alpha(picker):
    shown = {}
    for name in activations.elementwise_names():
        picker.set_value(name, None)
        shown[name] = picker.alpha_spin.isVisibleTo(picker)
    assert {n for n, on in shown.items() if on} == {"leaky_relu", "prelu", "elu"}


def test_default_is_the_lecture_slope_and_the_tooltip_says_so(picker):
    picker.set_value("leaky_relu", None)
    assert picker.alpha() is None and picker.alpha_spin.value() == pytest.approx(0.1)
    assert "0.1" in picker.alpha_spin.toolTip() and "0.01" in picker.alpha_spin.toolTip()
    picker.set_value("elu", None)
    assert picker.alpha_spin.value() == pytest.approx(1.0)


def test_typing_alpha_emits_and_picking_another_activation_resets_it(qtbot, picker):
    picker.set_value("leaky_relu", None)
    with qtbot.waitSignal(picker.changed):
        picker.alpha_spin.setValue(0.3)
    assert picker.alpha() == pytest.approx(0.3)
    with qtbot.waitSignal(picker.changed):
        picker.combo.setCurrentIndex(picker.combo.findData("elu"))
    assert picker.name() == "elu" and picker.alpha() is None and picker.alpha_spin.value() == pytest.approx(1.0)


def test_the_training_panels_alpha_reaches_the_network(qtbot):
    from app.panels.training import TrainingPanel

    p = TrainingPanel(find_cached=False)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    try:
        state = p.state()
        old = p.model.run
        p.apply_state(state.merged({"network": {"activation": "leaky_relu", "activation_alpha": 0.3}}))
        qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
        assert p.state().network.activation_alpha == pytest.approx(0.3)
        layers = p.model.run.trainer.model.activation_layers
        assert [layer.activation.alpha for layer in layers] == [pytest.approx(0.3)] * len(layers)
        picker = p.form.activation_picker
        assert picker.alpha_spin.isVisibleTo(p) and picker.alpha_spin.value() == pytest.approx(0.3)
        old = p.model.run
        picker.alpha_spin.setValue(0.05)  # a user edit reaches the state and the new run
        qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
        assert p.state().network.activation_alpha == pytest.approx(0.05)
        assert p.model.run.trainer.model.activation_layers[0].activation.alpha == pytest.approx(0.05)
    finally:
        assert p.shutdown()
        p._steppers.clear()
        p.stepper = None
        gc.collect()


def test_landscape_controls_show_and_read_alpha_and_it_reaches_the_network(qtbot):
    from app.models.landscape import State, landscape_activations
    from app.panels.landscape.controls import LandscapeControls
    from engine.training_setup import build_network

    assert landscape_activations() == [n for n in activations.elementwise_names(learned=False) if n != "step"]
    controls = LandscapeControls()
    qtbot.addWidget(controls)
    state = State().replace(activation="elu", activation_alpha=0.5)
    controls.show_state(state)
    assert controls.activation_picker.alpha_spin.value() == pytest.approx(0.5)
    assert controls.read(State()) == state
    with qtbot.waitSignal(controls.edited):
        controls.activation_picker.alpha_spin.setValue(0.7)
    network = controls.read(State()).settings().network
    model = build_network(2, 3, network)
    assert [layer.activation.alpha for layer in model.activation_layers] == [pytest.approx(0.7)] * len(network.hidden)


def test_compare_form_edits_activation_and_alpha_and_the_runs_get_them(qtbot):
    from app.models.compare import State
    from app.panels.compare.form import CompareForm
    from engine import experiments

    form = CompareForm()
    qtbot.addWidget(form)
    state = State().replace(activation="leaky_relu", activation_alpha=0.2)
    form.show_state(state)
    assert form.activation_picker.name() == "leaky_relu"
    assert form.activation_picker.alpha_spin.value() == pytest.approx(0.2)
    with qtbot.waitSignal(form.edited) as sent:
        form.activation_picker.alpha_spin.setValue(0.3)
    assert sent.args[0] == {"activation": "leaky_relu", "activation_alpha": pytest.approx(0.3)}
    state = state.merged(sent.args[0])
    spec = experiments.RunSpec((("activation", "leaky_relu"),), 0, 0, state.data_spec(), state.run_settings())
    assert spec.settings()[0].activation_alpha == pytest.approx(0.3)
