"""What a page read from a store returns, beyond the bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._steps import Fetched


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page of a stored document and what an HTTP response needs about it.

    ``body`` is the JSON array of items ``start..stop`` (the requested
    ``offset``/``limit`` clamped to ``total`` like a slice), cut from one
    version of the stored container. ``checksum`` is the body checksum that
    container's header stores (None when it was written without one): with
    ``start`` and ``stop`` it identifies ``body`` without hashing it, which
    ``slotjson.web`` uses for the ``ETag``.
    """

    body: bytes
    offset: int
    limit: int | None
    start: int
    stop: int
    total: int
    checksum: int | None
    #: The raw ASGI headers of a 200 answer with this body (ETag,
    #: X-Total-Count, Content-Length, Content-Type), when the native step
    #: that read the page built them; PageResponse then sends them as they are.
    headers: list[tuple[bytes, bytes]] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        """The number of items in the page."""
        return self.stop - self.start


def page_read(fetched: Fetched, offset: int, limit: int | None) -> PageRead:
    """Assemble (and check) the page from the bytes a store fetched."""
    read = fetched.read
    start, stop = read.items
    return PageRead(
        body=read.page(fetched.blob),
        offset=offset,
        limit=limit,
        start=start,
        stop=stop,
        total=read.count,
        checksum=read.body_checksum,
    )
