"""A one-line progress indicator on stderr.

On a terminal the line is rewritten in place; when stderr is a file or a
pipe (CI logs) each new stage gets its own line instead, since carriage
returns would pile up into one unreadable line there.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = enabled
        self._live = enabled and self._stream.isatty()
        self._start = time.perf_counter()
        self._steps = 0
        self._stage = ""
        self._width = 0

    def stage(self, text: str) -> None:
        """A new part of the run begins (a workload, or an operation within it)."""
        self._stage = text
        if self._enabled and not self._live:
            self._stream.write(f"[{self._elapsed()}] {text}\n")
            self._stream.flush()
        self._show("")

    def step(self, text: str) -> None:
        """One measurement within the current stage begins."""
        self._steps += 1
        self._show(text)

    def close(self) -> None:
        if self._live and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
        self._width = 0

    def _elapsed(self) -> str:
        return f"{time.perf_counter() - self._start:5.1f}s"

    def _show(self, text: str) -> None:
        if not self._live:
            return
        # "#N": the N-th measurement of the run is under way.
        line = f"[{self._elapsed()} #{self._steps}] {self._stage}" + (f": {text}" if text else "")
        line = line[:119]
        # Pad over the remains of a longer previous line instead of relying on
        # terminal escape codes.
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(line))
