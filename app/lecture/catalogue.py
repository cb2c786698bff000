"""Every lecture scene, collected from ``app.lecture.scenes.<panel_id>`` modules.

Scene modules are imported on first use (the window's start-up does not pay for them), one per
panel of the registry; a panel without a scene module simply has no scenes. Scenes are ordered
by lecture part (``PARTS``), then by panel order, then as listed in their module.
"""

from __future__ import annotations

from app import panels as panel_registry
from app.lecture.scene import PARTS, Scene
from app.optional import optional_module

_cache: dict[str, Scene] | None = None


def _module_scenes(panel_id: str) -> tuple[Scene, ...]:
    module = optional_module(f"app.lecture.scenes.{panel_id}")
    return tuple(getattr(module, "SCENES", ())) if module is not None else ()


def collect(panel_ids=None) -> dict[str, Scene]:
    """name → Scene for ``panel_ids`` (default: the registry's), in lecture order."""
    ids = list(panel_registry.names() if panel_ids is None else panel_ids)
    found: list[tuple[int, int, int, Scene]] = []
    parts = list(PARTS)
    for p, panel_id in enumerate(ids):
        for i, scene in enumerate(_module_scenes(panel_id)):
            if scene.panel_id != panel_id:
                raise ValueError(f"scene {scene.name!r} in app.lecture.scenes.{panel_id} is for panel {scene.panel_id!r}")
            found.append((parts.index(scene.part), p, i, scene))
    out: dict[str, Scene] = {}
    for *_order, scene in sorted(found, key=lambda f: f[:3]):
        if scene.name in out:
            raise ValueError(f"two scenes are named {scene.name!r}")
        out[scene.name] = scene
    return out


def scenes() -> dict[str, Scene]:
    """Every scene by name (collected once)."""
    global _cache
    if _cache is None:
        _cache = collect()
    return _cache


def names() -> list[str]:
    return list(scenes())


def get(name: str) -> Scene:
    """The scene ``name``; unknown names raise ``ValueError`` listing the valid ones."""
    key = str(name).strip().lower()
    found = scenes()
    if key not in found:
        raise ValueError(f"unknown scene {name!r}; choose one of: {', '.join(found) or '(none installed)'}")
    return found[key]


def by_part(found: dict[str, Scene] | None = None) -> dict[str, list[Scene]]:
    """The scenes grouped under their lecture part, parts in outline order (empty parts left out)."""
    groups: dict[str, list[Scene]] = {part: [] for part in PARTS}
    for scene in (scenes() if found is None else found).values():
        groups[scene.part].append(scene)
    return {part: group for part, group in groups.items() if group}



def forget() -> None:
    """Collect the scenes again on next use (after the registry or a scene module changed, e.g. in tests)."""
    global _cache
    _cache = None
