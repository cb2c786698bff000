"""The one persistence path for panel settings: typed, validated, JSON-safe ``State`` dataclasses.

A panel's ``State`` is a ``@dataclass(frozen=True)`` that subclasses :class:`StateBase`.
Fields are plain ``bool``/``int``/``float``/``str``, ``tuple[...]`` of those, nested
``StateBase`` dataclasses, or tuples of them. Ranges and choices are declared with
:func:`setting`::

    @dataclass(frozen=True)
    class State(StateBase):
        depth: int = setting(10, lo=1, hi=50)
        init: str = setting("xavier", choices=lambda: engine_init.names())
        lr: float = setting(0.1, lo=0.0, lo_open=True)

``to_dict()`` gives JSON-safe data (tuples become lists, nested states dicts);
``State.from_dict(d)`` rebuilds it and raises :class:`StateError` (a ``ValueError``) naming the
key for an unknown key, a wrong type or an out-of-range value. Missing keys keep their defaults.
``state.merged(partial)`` applies a partial dict (scenes, the command line) the same way.
QSettings, session files, scenes and the command line all go through these three methods.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, Callable

_NO_DEFAULT = object()


class StateError(ValueError):
    """A settings dict that does not fit a ``State``; ``key`` is the dotted path of the culprit."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


def setting(
    default: Any = _NO_DEFAULT,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    choices: Callable[[], typing.Iterable] | typing.Iterable | None = None,
    doc: str = "",
    default_factory: Callable[[], Any] | None = None,
):
    """A dataclass field with validation metadata (see the module docstring).

    ``choices`` may be a callable (e.g. a registry's ``names``) so that declaring a State does
    not import the registry's contents early. ``lo``/``hi`` bound numbers and, for tuples, each
    element.
    """
    meta = {"lo": lo, "hi": hi, "lo_open": lo_open, "hi_open": hi_open, "choices": choices, "doc": doc}
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    if default is _NO_DEFAULT:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _check_scalar(key: str, tp: type, value: Any, meta: dict) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            raise StateError(key, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise StateError(key, f"expected a whole number, got {value!r}")
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise StateError(key, f"expected a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise StateError(key, f"expected a finite number, got {value!r}")
    elif tp is str:
        if not isinstance(value, str):
            raise StateError(key, f"expected text, got {value!r}")
    else:
        raise StateError(key, f"unsupported field type {_type_name(tp)}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and (value < lo or (meta.get("lo_open") and value == lo)):
        raise StateError(key, f"{value!r} is below the smallest allowed value {lo!r}")
    if hi is not None and (value > hi or (meta.get("hi_open") and value == hi)):
        raise StateError(key, f"{value!r} is above the largest allowed value {hi!r}")
    choices = meta.get("choices")
    if choices is not None:
        allowed = list(choices() if callable(choices) else choices)
        if value not in allowed:
            raise StateError(key, f"{value!r} is not one of: {', '.join(map(str, allowed))}")
    return value


def _convert(key: str, tp: Any, value: Any, meta: dict) -> Any:
    """``value`` (JSON data) converted to ``tp`` and validated, or StateError naming ``key``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(key, arg, value, meta)
            except StateError as exc:
                errors.append(exc)
        raise errors[0] if errors else StateError(key, f"unexpected {value!r}")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise StateError(key, f"expected a list, got {value!r}")
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(f"{key}[{i}]", args[0], v, meta) for i, v in enumerate(value))
        if len(args) != len(value):
            raise StateError(key, f"expected {len(args)} items, got {len(value)}")
        return tuple(_convert(f"{key}[{i}]", a, v, meta) for i, (a, v) in enumerate(zip(args, value)))
    if isinstance(tp, type) and issubclass(tp, StateBase):
        if isinstance(value, tp):
            return value
        return tp.from_dict(value, _prefix=key + ".")
    return _check_scalar(key, tp, value, meta)


def _to_json(value: Any) -> Any:
    if isinstance(value, StateBase):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    return value


class StateBase:
    """Mixin for a panel's frozen ``State`` dataclass (see the module docstring)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data: every field, tuples as lists, nested states as dicts."""
        return {f.name: _to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: Any, _prefix: str = ""):
        """A validated ``cls`` from ``data``; missing keys keep their defaults.

        Raises :class:`StateError` naming the key on an unknown key, a wrong type or a value
        out of range.
        """
        if not isinstance(data, dict):
            raise StateError(_prefix.rstrip("."), f"expected a mapping of settings, got {data!r}")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [k for k in data if k not in fields]
        if unknown:
            raise StateError(f"{_prefix}{unknown[0]}", f"unknown setting; known: {', '.join(fields)}")
        values = {
            name: _convert(f"{_prefix}{name}", hints[name], value, dict(fields[name].metadata))
            for name, value in data.items()
        }
        try:
            state = cls(**values)
        except StateError:
            raise
        except (TypeError, ValueError) as exc:
            raise StateError(_prefix.rstrip("."), str(exc)) from exc
        return state

    def merged(self, partial: dict[str, Any]):
        """A copy with ``partial`` applied (nested dicts merge into nested states), validated."""
        return type(self).from_dict(_deep_merge(self.to_dict(), partial))

    def replace(self, **changes):
        """``dataclasses.replace`` with validation of the changed values."""
        return self.merged({k: _to_json(v) for k, v in changes.items()})


def _deep_merge(base: dict, partial: dict) -> dict:
    out = dict(base)
    for key, value in partial.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = _to_json(value)
    return out
