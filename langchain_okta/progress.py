"""How far a walk through the pages of a user listing has got, for progress bars and events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageProgress:
    """Reported once per page read.

    `users` counts every user read so far, `page_users` those of this page (what a
    progress bar's `update` takes), `more` whether another page follows.
    """

    pages: int
    users: int
    page_users: int
    more: bool


ProgressCallback = Callable[[PageProgress], object]
