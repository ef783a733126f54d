"""Field name -> JSON key conventions for ``model(rename=...)``.

Only underscores separate words; letters keep their case except the first
letter of a word that camel/pascal capitalize. Leading and trailing
underscores are kept verbatim: ``_private_id`` is a convention for "internal"
that a renamer should not erase, and ``class_`` must not collide with a field
``class`` produced by another rule.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["RENAMERS", "Rename", "resolve_rename"]

Rename = str | Callable[[str], str] | None


def _split(name: str) -> tuple[str, list[str], str]:
    """``"__repo_name_"`` -> ``("__", ["repo", "name"], "_")``."""
    stripped = name.lstrip("_")
    prefix = name[: len(name) - len(stripped)]
    core = stripped.rstrip("_")
    suffix = stripped[len(core):]
    return prefix, [word for word in core.split("_") if word], suffix


def _upper_first(word: str) -> str:
    return word[:1].upper() + word[1:]


def camel(name: str) -> str:
    prefix, words, suffix = _split(name)
    if not words:
        return name
    return prefix + words[0] + "".join(_upper_first(w) for w in words[1:]) + suffix


def pascal(name: str) -> str:
    prefix, words, suffix = _split(name)
    if not words:
        return name
    return prefix + "".join(_upper_first(w) for w in words) + suffix


def kebab(name: str) -> str:
    prefix, words, suffix = _split(name)
    if not words:
        return name
    return prefix + "-".join(words) + suffix


RENAMERS: dict[str, Callable[[str], str]] = {
    "camel": camel,
    "pascal": pascal,
    "kebab": kebab,
}


def resolve_rename(rename: Rename) -> Callable[[str], str] | None:
    """Validate a ``rename=`` option at decoration time; return the function to apply."""
    if rename is None:
        return None
    if isinstance(rename, str):
        try:
            return RENAMERS[rename]
        except KeyError:
            choices = ", ".join(repr(k) for k in RENAMERS)
            raise ValueError(
                f"rename must be None, {choices} or a callable, got {rename!r}"
            ) from None
    if callable(rename):
        return rename
    raise TypeError(
        f"rename must be None, a str or a callable, got {type(rename).__name__}"
    )
