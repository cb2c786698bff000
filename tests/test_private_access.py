"""No private attribute is used across objects or modules in app/ or engine/ (read with ast).

``x._name`` where ``x`` is not ``self``/``cls`` reaches into another object's internals: the
owner can no longer rename or change it without breaking code it cannot see. The same holds for
``from module import _name``. Make the name public (with a docstring saying who uses it) or pass
what is needed (e.g. a callback) instead.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "engine")

#: (file, dotted expression) pairs that may stay, each with its reason.
ALLOWED = {
    # The leak guard reads the interpreter's thread tables: the standard library offers no public
    # way to see threads that are starting (limbo) or foreign (dummy) threads.
    ("app/workers.py", "threading._active"): "stdlib thread table, no public API",
    ("app/workers.py", "threading._active_limbo_lock"): "stdlib thread table lock, no public API",
    ("app/workers.py", "threading._DummyThread"): "stdlib class of foreign threads, no public API",
}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path, rel: str) -> list[str]:
    """``file:line: expression`` for every private attribute read off something other than self/cls."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            expr = ast.unparse(node)
            if (rel, expr) not in ALLOWED:
                found.append(f"{rel}:{node.lineno}: {expr}")
        elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in PACKAGES):
            found += [f"{rel}:{node.lineno}: from {node.module} import {a.name}" for a in node.names if is_private(a.name)]
    return found


def all_private_uses() -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            out += private_uses(path, path.relative_to(ROOT).as_posix())
    return out


def test_no_private_attribute_across_objects():
    assert all_private_uses() == []


def test_the_walk_finds_a_violation(tmp_path):
    """The check can fail: another object's private attribute and a private import are reported."""
    f = tmp_path / "m.py"
    f.write_text("from app.x import _hidden\n\nclass A:\n    def f(self, other):\n        return other._x + self._y\n")
    assert private_uses(f, "m.py") == ["m.py:1: from app.x import _hidden", "m.py:5: other._x"]


def test_allow_list_entries_are_still_needed():
    """An allow-list entry whose use has gone is removed, so the list stays honest."""
    seen = set()
    for rel, _expr in ALLOWED:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        seen |= {(rel, ast.unparse(n)) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert set(ALLOWED) <= seen
