"""A per-process memo that expires: for lookups done on every demand that change rarely."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Cached(Generic[T]):
    """A no-argument loader's result, kept for `seconds`; `.get()` reads it, `.clear()` drops it."""

    def __init__(self, load: Callable[[], T], seconds: float) -> None:
        self._load, self.seconds = load, seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._expires = 0.0
        self.__doc__ = load.__doc__

    def get(self) -> T:
        with self._lock:
            now = time.monotonic()
            if self._value is None or self._expires <= now:
                self._value = self._load()
                self._expires = now + self.seconds
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None


def cached_for(seconds: float) -> Callable[[Callable[[], T]], Cached[T]]:
    """`@cached_for(60)` on a no-argument function."""

    def wrap(load: Callable[[], T]) -> Cached[T]:
        return Cached(load, seconds)

    return wrap
