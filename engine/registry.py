"""Name → class registries, so the UI lists exactly what the engine has.

Every family the app offers in a menu (activations, optimizers, initializers, surfaces,
datasets) registers its members here with a display name and a one-line formula. Unknown names
raise a ``ValueError`` that lists the valid ones, as numpy-ml does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered item: the factory plus what the UI shows about it."""

    name: str
    factory: T
    display_name: str
    formula: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)


class Registry(Generic[T]):
    """An ordered mapping of names to factories, with helpful errors."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}
        self._aliases: dict[str, str] = {}

    def register(
        self,
        name: str,
        display_name: str | None = None,
        formula: str = "",
        description: str = "",
        aliases: tuple[str, ...] = (),
        **extra: Any,
    ) -> Callable[[T], T]:
        """Decorator: register ``factory`` under ``name``."""

        def decorate(factory: T) -> T:
            if name in self._entries or name in self._aliases:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = Entry(
                name, factory, display_name or name, formula, description, dict(extra)
            )
            for alias in aliases:
                self._aliases[alias] = name
            return factory

        return decorate

    def canonical(self, name: str) -> str:
        """The registered name for ``name`` (case-insensitive, '-' = '_', aliases resolved)."""
        if not isinstance(name, str):
            raise ValueError(f"{self.kind} name must be a string, got {type(name).__name__}")
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        key = self._aliases.get(key, key)
        if key not in self._entries:
            raise ValueError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._entries)}"
            )
        return key

    def entry(self, name: str) -> Entry[T]:
        return self._entries[self.canonical(name)]

    def get(self, name: str, **kwargs: Any):
        """Build the named item with ``kwargs``; bad names or arguments raise ``ValueError``."""
        entry = self.entry(name)
        try:
            return entry.factory(**kwargs)
        except TypeError as exc:  # unexpected keyword: say which ones exist
            raise ValueError(f"bad parameters for {self.kind} {entry.name!r}: {exc}") from None

    def names(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> list[Entry[T]]:
        return list(self._entries.values())

    def __contains__(self, name: object) -> bool:
        try:
            self.canonical(name)  # type: ignore[arg-type]
        except ValueError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
