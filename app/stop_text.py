"""A training run's stop reason (``engine.training.StopReason``) in the user's language.

The engine reports why a run stopped as data (a kind plus numbers), so the app words it here
with ``tr`` instead of parsing English sentences back.
"""

from __future__ import annotations

from app.i18n import tr

_PROBLEMS = {
    "gradient": "a gradient is not finite",
    "overflow": "the update overflowed",
    "fp_pass": "floating-point error in the forward/backward pass",
    "fp_update": "floating-point error in the update",
}


def problem_text(reason) -> str:
    """Why a run diverged, translated (``loss = nan``)."""
    if reason.problem == "loss":
        return tr("loss = {value}").format(value=reason.value)
    if reason.problem == "loss_limit":
        return tr("loss = {value} > {limit}").format(value=f"{reason.value:.3g}", limit=f"{reason.limit:g}")
    return tr(_PROBLEMS.get(reason.problem, reason.problem))


def stop_text(reason) -> str:
    """The whole reason, translated; "" for None (the run goes on)."""
    if reason is None:
        return ""
    if reason.kind == "diverged":
        return tr("diverged at step {step} ({problem})").format(step=reason.step, problem=problem_text(reason))
    if reason.kind == "finished":
        return tr("finished {epochs} epochs ({steps} steps)").format(epochs=reason.epochs, steps=reason.step)
    return tr("cancelled after step {step}").format(step=reason.step)
