"""A learning-rate schedule as a panel setting: which ``engine.schedules`` entry, and its parameters.

One flat ``ScheduleSetting`` serves the Optimizers panel (one per lane) and the Training panel,
so both save, restore and validate schedules the same way (``State.to_dict``/``from_dict``).
It holds every schedule's parameters at once; ``build(lr)`` passes only those the chosen
schedule takes (read from its constructor), so switching schedules keeps the others' values.
The base rate is the lane's or the trainer's own ``lr``; ``eta_min`` is capped at it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from app.models.base import StateBase, setting
from engine import schedules
from engine.training import SCHEDULE_PER  # noqa: F401 - re-exported for the Training panel's state


@dataclass(frozen=True)
class ScheduleSetting(StateBase):
    """``name`` and the parameters of every schedule (each used only by the ones that take it)."""

    name: str = setting("constant", choices=schedules.names, doc="learning-rate schedule")
    step_size: int = setting(100, lo=1, hi=1_000_000, doc="updates between decays (step)")
    milestones: tuple[int, ...] = setting((100, 200), lo=1, hi=1_000_000, doc="decay points (multistep)")
    gamma: float = setting(0.5, lo=0.0, hi=1.0, lo_open=True, doc="decay factor γ")
    t_max: int = setting(500, lo=1, hi=1_000_000, doc="cosine length in updates")
    eta_min: float = setting(0.0, lo=0.0, doc="lowest rate of the cosine")
    t_0: int = setting(100, lo=1, hi=1_000_000, doc="first cycle length (warm restarts)")
    t_mult: int = setting(1, lo=1, hi=10, doc="cycle growth factor (warm restarts)")
    warmup: int = setting(50, lo=1, hi=1_000_000, doc="warm-up updates")
    start_factor: float = setting(0.1, lo=0.0, hi=1.0, lo_open=True, doc="warm-up starts at this × lr")
    total_steps: int = setting(500, lo=2, hi=1_000_000, doc="one-cycle length in updates")
    pct_start: float = setting(0.3, lo=0.0, hi=1.0, lo_open=True, hi_open=True, doc="rising share of one-cycle")
    div_factor: float = setting(25.0, lo=1.0, hi=1e6, doc="one-cycle starts at lr / div_factor")
    final_div_factor: float = setting(1e4, lo=1.0, hi=1e9, doc="one-cycle ends div_factor × this below its start")
    k: float = setting(0.01, lo=0.0, doc="inverse-time decay k")

    def params(self) -> tuple[str, ...]:
        """The parameter names the chosen schedule takes (``lr`` excluded)."""
        return schedule_params(self.name)

    def spec(self, lr: float) -> dict:
        """``{"name": …, parameters…}`` for base rate ``lr`` (``RunSettings.schedule``)."""
        values = {k: getattr(self, k) for k in self.params()}
        if "eta_min" in values:
            values["eta_min"] = min(values["eta_min"], lr)
        if "milestones" in values:
            values["milestones"] = list(values["milestones"])
        return {"name": self.name, **values}

    def build(self, lr: float):
        """The ``engine.schedules`` object for base rate ``lr`` (ValueError when it can't be)."""
        values = self.spec(lr)
        return schedules.get(values.pop("name"), lr=lr, **values)

    @classmethod
    def of(cls, spec: dict | None) -> "ScheduleSetting":
        """The setting of a ``RunSettings.schedule`` (None: constant)."""
        return cls() if not spec else cls().merged(dict(spec))

    def is_constant(self) -> bool:
        return self.name == "constant"

    def summary(self) -> str:
        """Short text: the name and its parameters (``step  step_size 20  gamma 0.5``)."""
        parts = [self.name] + [f"{k} {_fmt(getattr(self, k))}" for k in self.params()]
        return "  ".join(parts)


def schedule_fields(setting: ScheduleSetting, per: str, hyper: dict) -> tuple:
    """``RunSettings``'s (schedule, schedule_per) for ``setting`` over ``hyper["lr"]``."""
    return (None if setting.is_constant() else setting.spec(float(hyper.get("lr", 0.01)))), per


def schedule_params(name: str) -> tuple[str, ...]:
    """The constructor parameters of schedule ``name`` besides ``lr``."""
    cls = schedules.REGISTRY.entry(name).factory
    return tuple(p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "lr"))


def params_text(setting: ScheduleSetting) -> str:
    """``step_size=20 gamma=0.5`` for the chosen schedule's parameters (what a form shows)."""
    return " ".join(f"{k}={_fmt(getattr(setting, k))}" for k in setting.params())


def parse_params(name: str, text: str) -> dict:
    """``k=v`` pairs (spaces or ';' between them) for schedule ``name``; ValueError names the bad part."""
    allowed = schedule_params(name)
    out: dict = {}
    for part in text.replace(";", " ").split():
        key, sep, value = part.partition("=")
        if not sep or key not in allowed:
            raise ValueError(f"schedule {name}: {part!r} is not one of {', '.join(f'{k}=…' for k in allowed)}")
        try:
            if key == "milestones":
                out[key] = [int(v) for v in value.split(",") if v]
            elif isinstance(getattr(ScheduleSetting(), key), int):
                out[key] = int(value)
            else:
                out[key] = float(value)
        except ValueError:
            raise ValueError(f"schedule {name}: {key} needs a number, got {value!r}") from None
    return out


def _fmt(v) -> str:
    if isinstance(v, tuple):
        return ",".join(str(x) for x in v)
    return f"{v:g}"
