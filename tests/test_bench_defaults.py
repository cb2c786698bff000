"""Every benchmark's documented usage gives its real defaults (issue 14).

A bench script's docstring shows ``--option VALUE`` in its usage line; the value must be the
``default=`` of that option's ``add_argument``. Read from the source (ast), so no benchmark
and none of its imports (torch, Qt) runs here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(BENCH.glob("bench_*.py"))


def argparse_defaults(tree: ast.Module) -> dict[str, object]:
    out = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument" and node.args
                and isinstance(node.args[0], ast.Constant)):
            for kw in node.keywords:
                if kw.arg == "default" and isinstance(kw.value, ast.Constant):
                    out[node.args[0].value] = kw.value.value
    return out


def documented_values(doc: str) -> dict[str, str]:
    """``--name VALUE`` pairs inside ``[...]`` of the docstring's usage text (placeholders
    such as ``N`` or ``PATH`` and choices such as ``a|b`` are not values)."""
    usage = doc[doc.find("Usage"):] if "Usage" in doc else doc
    pairs = re.finditer(r"\[(--[\w-]+) ([^\]\s|]+)\]", usage)
    return {m.group(1): m.group(2) for m in pairs if not re.fullmatch(r"[A-Z_]+", m.group(2))}


def same(documented: str, default) -> bool:
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        try:
            return float(documented) == float(default)
        except ValueError:
            return False
    return documented == str(default)


def test_there_are_bench_scripts():
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_usage_line_matches_defaults(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    defaults = argparse_defaults(tree)
    wrong = {opt: (val, defaults[opt]) for opt, val in documented_values(doc).items()
             if opt in defaults and not same(val, defaults[opt])}
    assert not wrong, f"{script.name}: documented vs default {wrong}"


def test_the_check_sees_a_wrong_default():
    tree = ast.parse('"""Usage: ``x.py [--rounds 7]``."""\n'
                     'p.add_argument("--rounds", type=int, default=9)\n')
    doc = ast.get_docstring(tree)
    assert documented_values(doc) == {"--rounds": "7"}
    assert not same("7", argparse_defaults(tree)["--rounds"])
