"""Seeded text generation for the workloads.

Word pools are grouped by the widest character they contain, because CPython
stores a str with 1, 2 or 4 bytes per character depending on its widest code
point (PEP 393) and an encoder's fast paths differ per width. Escapes get
their own pool: quotes, backslashes and control characters are where a JSON
writer leaves its copy loop.
"""

from __future__ import annotations

import random

__all__ = ["ASCII", "ASTRAL", "BMP", "ESCAPES", "LATIN1", "sentence", "text"]

ASCII = (
    "review", "merge", "branch", "commit", "build", "cache", "request", "latency",
    "index", "schema", "offset", "buffer", "thread", "worker", "encoder", "payload",
    "fix", "the", "a", "of", "when", "with", "for", "and", "page", "slot", "plan",
    "release", "benchmark", "parser", "config", "retry", "timeout", "deploy",
)
# Every word has a character in U+0080..U+00FF: the 1-byte kind, but 2 bytes in UTF-8.
LATIN1 = (
    "café", "naïve", "Zürich", "façade", "señor", "Ærøskøbing", "crème", "brûlée",
    "déjà", "vu", "½", "©2024", "¿qué?", "Straße", "smørrebrød", "über", "niño",
)
# Code points above U+00FF but inside the BMP: the 2-byte kind.
BMP = (
    "数据", "序列化", "東京", "日本語のテキスト", "서울", "пример", "сериализация",
    "Ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย", "€100", "—", "→", "✓",
)
# Code points beyond the BMP: the 4-byte kind (and surrogate pairs in \\u escapes).
ASTRAL = ("😀", "🚀", "👍🏽", "🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🧪", "🐍", "🦀", "𠜎", "🇯🇵")
# Everything a JSON string has to escape, plus look-alikes that must stay raw.
ESCAPES = (
    '"quoted"', "back\\slash", "line\nbreak", "tab\there", "crlf\r\n", "\x00nul",
    "bell\x07", "\x1f", "form\x0cfeed", "bs\x08", 'say "hi"\n', "C:\\path\\to",
    "a/b", "\x7f", "\u2028", "\u2029",
)


def sentence(rng: random.Random, pools: tuple[tuple[str, ...], ...], words: int) -> str:
    """``words`` words, each from a randomly chosen pool among ``pools``."""
    return " ".join(rng.choice(rng.choice(pools)) for _ in range(words))


def text(rng: random.Random, pools: tuple[tuple[str, ...], ...], chars: int) -> str:
    """Sentences from ``pools`` until about ``chars`` characters, newline-separated."""
    parts: list[str] = []
    length = 0
    while length < chars:
        line = sentence(rng, pools, rng.randint(4, 14)).capitalize() + "."
        parts.append(line)
        length += len(line) + 1
    return "\n".join(parts)
