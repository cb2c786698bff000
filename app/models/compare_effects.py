"""What one factor did, with the other factors held fixed: paired differences over seeds.

A grid's table gives one row per configuration; the assignment asks *which factor mattered and
by how much*. Subtracting rows by hand pairs the wrong runs easily, so this module does it:
for the chosen factor, runs that share the seed and every other factor's level form a pair
(or a tuple, one run per level), and the difference ``level − baseline`` of a final metric is
taken per seed, then averaged (mean ± sample sd over the seeds). Pairing by seed removes the
spread the seeds share (same initial weights and batch order up to the factor).

``effects`` gives one ``Effect`` per (level of the others, compared level); ``ranking`` orders
the factors by the mean absolute effect (the report's "which mattered most"); ``sentence``
and ``report_markdown`` say it in words. Qt-free and language-free: the views pass their
``tr`` so the words come in the UI language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine import experiments

#: Metrics shown in percentage points (fractions ×100); the rest (losses) as they are.
PERCENT_METRICS = ("test_accuracy", "train_accuracy", "accuracy_gap")


@dataclass(frozen=True)
class Effect:
    """``factor`` from ``baseline`` to ``level`` at ``context`` (the other factors' levels)."""

    factor: str
    baseline: object
    level: object
    context: tuple  # ((factor, level), ...) of the other factors, grid order
    seeds: tuple  # the seeds with both runs
    base_mean: float  # metric at the baseline, mean over those seeds
    level_mean: float
    diff_mean: float  # mean over seeds of (level − baseline)
    diff_sd: float  # sample sd of the per-seed differences (0 for one seed)


def _final(result, metric: str) -> float:
    if metric == "accuracy_gap":
        return result.final("train_accuracy") - result.final("test_accuracy")
    return result.final(metric)


def effects(results, factor_names, factor: str, metric: str = "test_accuracy", baseline=None) -> list[Effect]:
    """Paired effects of ``factor`` over ``results`` (``RunResult`` s of one grid).

    ``baseline``: the level the others are compared with (default: the grid's first level of
    the factor). Runs pair when they share the seed and every other factor's level; contexts
    and levels keep the grid's order. Diverged runs (non-finite metric) drop out of their pair.
    """
    names = list(factor_names)
    if factor not in names:
        raise ValueError(f"{factor!r} is not a factor of this grid ({', '.join(names)})")
    table: dict = {}  # context → level → seed → value
    levels: list = []
    contexts: list = []
    for r in sorted(results, key=lambda r: (r.config_id, r.seed)):
        config = dict(r.config)
        level = config[factor]
        context = tuple((n, config[n]) for n in names if n != factor)
        if level not in levels:
            levels.append(level)
        if context not in table:
            contexts.append(context)
        value = _final(r, metric)
        if math.isfinite(value):
            table.setdefault(context, {}).setdefault(level, {})[r.seed] = value
    if not levels:
        return []
    base = levels[0] if baseline is None else baseline
    out = []
    for context in contexts:
        by_level = table.get(context, {})
        ref = by_level.get(base, {})
        for level in levels:
            if level == base:
                continue
            other = by_level.get(level, {})
            seeds = tuple(sorted(set(ref) & set(other)))
            if not seeds:
                continue
            a = np.array([ref[s] for s in seeds])
            b = np.array([other[s] for s in seeds])
            d = b - a
            sd = float(np.std(d, ddof=1)) if len(d) > 1 else 0.0
            out.append(Effect(factor, base, level, context, seeds, float(a.mean()), float(b.mean()),
                              float(d.mean()), sd))
    return out


def ranking(results, factor_names, metric: str = "test_accuracy") -> list[tuple[str, float, float]]:
    """``[(factor, mean |effect|, mean sd), ...]``, largest first: which factor mattered most."""
    out = []
    for name in factor_names:
        found = effects(results, factor_names, name, metric)
        if found:
            out.append((name, float(np.mean([abs(e.diff_mean) for e in found])),
                        float(np.mean([e.diff_sd for e in found]))))
    return sorted(out, key=lambda t: -t[1])


def _identity(text: str) -> str:
    return text


def level_text(factor: str, level, tr=_identity) -> str:
    return tr(experiments.format_level(level))


def factor_text(factor: str, tr=_identity) -> str:
    return tr(experiments.factor(factor).display_name)


def context_text(context, tr=_identity) -> str:
    """"Init std 1, Activation relu" — or "all runs" when the grid has only this factor."""
    if not context:
        return tr("all runs")
    return ", ".join(f"{factor_text(n, tr)} {level_text(n, v, tr)}" for n, v in context)


def number(value: float, metric: str) -> str:
    return f"{100 * value:.1f}" if metric in PERCENT_METRICS else f"{value:.3g}"


def change_text(effect: Effect, metric: str) -> str:
    """"+11.2" (points for accuracies) — the signed mean difference."""
    if metric in PERCENT_METRICS:
        return f"{100 * effect.diff_mean:+.1f}"
    return f"{effect.diff_mean:+.3g}"


def what_text(effect: Effect, tr=_identity) -> str:
    """"Batch norm" for on/off factors, else "Activation relu → tanh"."""
    name = factor_text(effect.factor, tr)
    if experiments.factor(effect.factor).kind == "bool" and effect.baseline is False:
        return name
    return f"{name} {level_text(effect.factor, effect.baseline, tr)} → {level_text(effect.factor, effect.level, tr)}"


def sentence(effect: Effect, metric: str = "test_accuracy", tr=_identity) -> str:
    """One sentence: "Batch norm: at Init std 1, +11.2 pp (10.0 → 21.2), sd 1.3 over 2 seeds"."""
    unit = tr("pp") if metric in PERCENT_METRICS else ""
    sd = (100 * effect.diff_sd) if metric in PERCENT_METRICS else effect.diff_sd
    return tr("{what}: at {context}, {change}{unit} ({a} → {b}), sd {sd} over {n} seeds").format(
        what=what_text(effect, tr), context=context_text(effect.context, tr), change=change_text(effect, metric),
        unit=unit, a=number(effect.base_mean, metric), b=number(effect.level_mean, metric),
        sd=f"{sd:.1f}" if metric in PERCENT_METRICS else f"{sd:.3g}", n=len(effect.seeds))


def report_markdown(results, factor_names, metric: str = "test_accuracy", tr=_identity,
                    metric_label: str = "") -> str:
    """The assignment's report: the ranking of the factors, then every factor's paired effects."""
    label = metric_label or metric
    scale = 100 if metric in PERCENT_METRICS else 1
    lines = [f"# {tr('Effect report')}", "", tr("Metric: {metric} (final epoch); differences pair runs with the "
                                                   "same seed and the same other levels.").format(metric=label), ""]
    ranked = ranking(results, factor_names, metric)
    if not ranked:
        return "\n".join(lines + [tr("No finished runs yet."), ""])
    top, size, spread = ranked[0]
    lines += [tr("Mattered most: {factor}, mean |effect| {size}, seed sd {sd}.").format(
        factor=factor_text(top, tr), size=f"{scale * size:.1f}" if scale == 100 else f"{size:.3g}",
        sd=f"{scale * spread:.1f}" if scale == 100 else f"{spread:.3g}"), ""]
    lines += [f"| {tr('Factor')} | {tr('mean absolute difference')} | {tr('mean sd')} |", "|---|---:|---:|"]
    for name, size, spread in ranked:
        fmt = (lambda v: f"{scale * v:.1f}") if scale == 100 else (lambda v: f"{v:.3g}")
        lines.append(f"| {factor_text(name, tr)} | {fmt(size)} | {fmt(spread)} |")
    for name, _size, _spread in ranked:
        lines += ["", f"## {factor_text(name, tr)}", ""]
        lines += [f"- {sentence(e, metric, tr)}" for e in effects(results, factor_names, name, metric)]
    return "\n".join(lines) + "\n"
