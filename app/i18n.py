"""Korean and English: one catalogue, the English text as the key (gettext style).

``tr("Play")`` returns the Korean text in Korean mode and the English text otherwise; a
missing translation falls back to English and is remembered in ``missing()`` (the walk test
reports it). Translations live in ``resources/i18n/<lang>/<area>.json`` — one flat
``{"English": "한국어"}`` object per area (shell, activations, scenes, ...) — and are merged at
load, so several people add strings without touching each other's files.

The language is chosen before widgets are built (``--lang``, the saved setting, else the
system locale; see ``startup_language``). Switching in the running app rebuilds the main
window, so widgets simply call ``tr()`` when they are built and never need retranslating.
Placeholders stay in the key and are formatted after the lookup:
``tr("diverged at step {n}").format(n=12)``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from importlib.resources.abc import Traversable
from pathlib import Path

from app import korean_particles

#: The import name of the top-level ``resources/`` folder in an installed GradLab (setup.py).
RESOURCE_PACKAGE = "gradlab_resources"

LANGUAGES = {"en": "English", "ko": "한국어"}
SOURCE_LANGUAGE = "en"
SETTINGS_KEY = "ui/language"

_language = SOURCE_LANGUAGE
_catalogues: dict[str, dict[str, str]] = {}
_missing: set[str] = set()


class ResourceError(RuntimeError):
    """A data file GradLab ships (translations, font) is missing: a broken installation."""


def resource_root() -> Traversable:
    """The ``resources/`` folder: the installed ``gradlab_resources`` package (wheel, zip or
    editable install), else the folder beside ``app/`` in a source checkout run without install.
    """
    try:
        return importlib.resources.files(RESOURCE_PACKAGE)
    except ModuleNotFoundError:
        checkout = Path(__file__).resolve().parent.parent / "resources"
        if (checkout / "__init__.py").is_file():
            return checkout
    raise ResourceError(f"GradLab's data files (package {RESOURCE_PACKAGE}: translations, font) are not "
                        "installed; reinstall GradLab with pip install .")


def resource_dir(*parts: str) -> Traversable:
    """``resources/<parts>`` as a folder; ``ResourceError`` naming it if it is missing."""
    folder = resource_root().joinpath(*parts)
    if not folder.is_dir():
        raise ResourceError(f"GradLab's data folder resources/{'/'.join(parts)} is missing from this "
                            "installation; reinstall GradLab with pip install .")
    return folder


def available_languages() -> list[tuple[str, str]]:
    """``[(code, name in that language), ...]`` for the Language menu and ``--lang``."""
    return list(LANGUAGES.items())


def check_language(lang: str) -> str:
    """``lang`` normalised (``"KO"`` → ``"ko"``); ``ValueError`` listing the allowed codes."""
    code = str(lang).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return code


def language() -> str:
    """The current language code, ``"en"`` or ``"ko"``."""
    return _language


def set_language(lang: str) -> None:
    """Switch the language used by later ``tr()`` calls (build widgets after this)."""
    global _language
    _language = check_language(lang)
    _missing.clear()
    if _language != SOURCE_LANGUAGE:
        catalogue(_language)


def load_catalogue(lang: str, folder: Traversable | None = None) -> dict[str, str]:
    """Merge every ``<folder>/<lang>/*.json`` into one dict (files in name order).

    ``folder`` defaults to the shipped ``resources/i18n``. A missing catalogue raises
    ``ResourceError`` (never a silent English UI); a file that is not a flat object of non-empty
    strings raises ``ValueError`` naming the file, so a broken catalogue is found by the tests.
    """
    merged: dict[str, str] = {}
    base = (folder or resource_dir("i18n")).joinpath(lang)
    files = sorted((f for f in base.iterdir() if f.name.endswith(".json")), key=lambda f: f.name) \
        if base.is_dir() else []
    if not files:
        raise ResourceError(f"no {LANGUAGES.get(lang, lang)} translations (resources/i18n/{lang}/*.json) in "
                            "this installation; reinstall GradLab with pip install .")
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not readable JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: must be a JSON object of \"English\": \"translation\" pairs")
        for key, value in data.items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{path}: the translation of {key!r} must be a non-empty string")
            merged[key] = value
    return merged


def catalogue(lang: str | None = None) -> dict[str, str]:
    """The merged catalogue of ``lang`` (default: the current language), loaded once."""
    code = check_language(lang or _language)
    if code == SOURCE_LANGUAGE:
        return {}
    if code not in _catalogues:
        _catalogues[code] = load_catalogue(code)
    return _catalogues[code]


def reload() -> None:
    """Forget loaded catalogues (tests and translators editing the JSON files)."""
    _catalogues.clear()
    _missing.clear()


def tr(text: str) -> str:
    """``text`` in the current language; English (the key itself) if there is no translation."""
    if _language == SOURCE_LANGUAGE or not text:
        return text
    translated = catalogue(_language).get(text)
    if translated is None:
        _missing.add(text)
        return text
    return translated


#: Messages built with numbers in them by code that knows nothing of languages (the engine,
#: input parsers). The app passes them through ``tr_message``, which finds the template,
#: translates it and puts the numbers back.
ENGINE_MESSAGES = (
    "diverged at step {step}: the position or loss blew up (try a smaller learning rate)",
    "left the view at step {step} (at x={x}, y={y})",
    "stopped after the {limit}-step limit",
    "hidden layers must be widths separated by commas, e.g. 32, 32; got {text}",
    "give 1 to 8 hidden layers of width 1…1024, got {text}",
    "choose at least one optimizer",
)

@functools.lru_cache(maxsize=None)
def _template_pattern(template: str) -> re.Pattern:
    """``"at step {n} of {n}"`` → a regex with a named group per field (a repeat must match it)."""
    parts = re.split(r"\{(\w+)\}", template)
    regex, seen = "", set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        else:
            regex += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
            seen.add(part)
    return re.compile(regex + r"\Z", re.S)


def tr_message(message: str, templates=ENGINE_MESSAGES) -> str:
    """``message`` (built from one of ``templates``) in the current language.

    ``tr_message("stopped after the 500-step limit")`` → ``"500단계 제한에 도달해 멈춤"``;
    an unknown message is returned as ``tr(message)``.
    """
    if _language == SOURCE_LANGUAGE or not message:
        return message
    if message in catalogue(_language):
        return tr(message)
    for template in templates:
        match = _template_pattern(template).match(message)
        if match:  # the fields may be English words themselves ("the input")
            fields = {k: catalogue(_language).get(v, v) for k, v in match.groupdict().items()}
            text = tr(template).format(**fields)
            # "h₁은(는)" → "h₁은": the particle after a filled-in symbol follows its reading
            return korean_particles.fix(text) if _language == "ko" else text
    return tr(message)


def missing() -> set[str]:
    """Keys looked up since the last ``set_language`` that had no translation."""
    return set(_missing)


def system_language() -> str:
    """``"ko"`` if the system locale is Korean, else ``"en"``."""
    from PySide6.QtCore import QLocale

    return "ko" if QLocale.system().language() == QLocale.Language.Korean else SOURCE_LANGUAGE


def saved_language(store) -> str | None:
    """The language saved in QSettings ``store``, or None (a stale value is ignored)."""
    value = store.value(SETTINGS_KEY, None)
    try:
        return check_language(value) if value else None
    except ValueError:
        return None


def startup_language(requested: str | None, store=None) -> str:
    """``--lang`` if given, else the saved choice, else the system locale."""
    if requested:
        return check_language(requested)
    saved = saved_language(store) if store is not None else None
    return saved or system_language()
