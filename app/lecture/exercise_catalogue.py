"""Every exercise, collected from ``app.lecture.exercises.<panel_id>`` modules (like the scenes).

Exercises are ordered as their scenes are (lecture part, panel, scene module), then as listed.
An exercise must name an existing scene of its own panel: the catalogue refuses anything else.
"""

from __future__ import annotations

from app import panels as panel_registry
from app.lecture import catalogue as scene_catalogue
from app.lecture.exercise import Exercise
from app.lecture.scene import PARTS
from app.optional import optional_module

_cache: dict[str, Exercise] | None = None


def _module_exercises(panel_id: str) -> tuple[Exercise, ...]:
    module = optional_module(f"app.lecture.exercises.{panel_id}")
    return tuple(getattr(module, "EXERCISES", ())) if module is not None else ()


def collect() -> dict[str, Exercise]:
    """id → Exercise for every panel of the registry, in lecture order."""
    scenes = scene_catalogue.scenes()
    order = {name: i for i, name in enumerate(scenes)}
    found: list[tuple[int, int, Exercise]] = []
    for panel_id in panel_registry.names():
        for i, exercise in enumerate(_module_exercises(panel_id)):
            scene = scenes.get(exercise.scene)
            if scene is None or scene.panel_id != panel_id:
                raise ValueError(f"exercise {exercise.id!r} in app.lecture.exercises.{panel_id} "
                                 f"names no scene of that panel: {exercise.scene!r}")
            found.append((order[exercise.scene], i, exercise))
    out: dict[str, Exercise] = {}
    for *_order, exercise in sorted(found, key=lambda f: f[:2]):
        if exercise.id in out:
            raise ValueError(f"two exercises are named {exercise.id!r}")
        out[exercise.id] = exercise
    return out


def exercises() -> dict[str, Exercise]:
    """Every exercise by id (collected once)."""
    global _cache
    if _cache is None:
        _cache = collect()
    return _cache


def get(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id``; unknown ids raise ``ValueError`` listing the valid ones."""
    key = str(exercise_id).strip().lower()
    found = exercises()
    if key not in found:
        raise ValueError(f"unknown exercise {exercise_id!r}; choose one of: {', '.join(found) or '(none installed)'}")
    return found[key]


def by_part() -> dict[str, list[Exercise]]:
    """The exercises grouped under their scene's lecture part, parts in outline order."""
    scenes = scene_catalogue.scenes()
    groups: dict[str, list[Exercise]] = {part: [] for part in PARTS}
    for exercise in exercises().values():
        groups[scenes[exercise.scene].part].append(exercise)
    return {part: group for part, group in groups.items() if group}
