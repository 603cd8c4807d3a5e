"""A small thread-safe mapping of bounded size, for what searches remember between questions."""

from __future__ import annotations

import itertools
import threading
from typing import Hashable, Iterable


class BoundedCache:
    """At most `limit` entries; the oldest go first when it is full.

    Every method takes one lock, so a reader never sees an entry vanish between checking
    for it and reading it: read with `get` or `pick`, which return what they found.
    """

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self._data: dict = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def get(self, key: Hashable, default=None):
        with self._lock:
            return self._data.get(key, default)

    def pick(self, keys: Iterable[Hashable]) -> dict:
        """The entries held for `keys` (the keys not held are left out)."""
        with self._lock:
            return {key: self._data[key] for key in keys if key in self._data}

    def update(self, new: dict) -> None:
        with self._lock:
            self._data.update(new)
            excess = len(self._data) - self.limit
            if excess > 0:  # dicts keep insertion order: the first keys are the oldest
                for key in list(itertools.islice(self._data, excess)):
                    del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
