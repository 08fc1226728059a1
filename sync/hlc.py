"""Hybrid logical clock stamps: wall-clock milliseconds plus a counter plus the node.

A stamp orders events across devices whose clocks disagree a little, and never goes
backwards on one node. Stamps are strings that sort in time order, so they can be compared
as text anywhere (Python, SQL, JavaScript)."""

from __future__ import annotations

import time
from dataclasses import dataclass

MAX_COUNTER = 0xFFFF


@dataclass(frozen=True, order=True)
class Stamp:
    millis: int
    counter: int
    node: str

    def encode(self) -> str:
        """`0001764400000000-0000-node`: fixed-width fields, so text order is time order."""
        return f"{self.millis:016d}-{self.counter:04x}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> Stamp:
        """The stamp `text` encodes; ValueError when it is not one."""
        millis, counter, node = text.split("-", 2)
        if len(millis) != 16 or len(counter) != 4 or not node:
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(millis), int(counter, 16), node)


class Clock:
    """One node's clock. `tick` stamps a local event; `observe` folds in a remote stamp so
    that what this node does next sorts after what it has seen."""

    def __init__(self, node: str, wall=lambda: int(time.time() * 1000)):
        self.node = node
        self._wall = wall
        self._last = Stamp(0, 0, node)

    def tick(self) -> Stamp:
        now = self._wall()
        if now > self._last.millis:
            self._last = Stamp(now, 0, self.node)
        else:
            self._last = self._bump(self._last.millis, self._last.counter)
        return self._last

    def observe(self, remote: Stamp) -> Stamp:
        now = self._wall()
        top = max(now, self._last.millis, remote.millis)
        if top == self._last.millis == remote.millis:
            counter = max(self._last.counter, remote.counter)
        elif top == self._last.millis:
            counter = self._last.counter
        elif top == remote.millis:
            counter = remote.counter
        else:
            self._last = Stamp(top, 0, self.node)
            return self._last
        self._last = self._bump(top, counter)
        return self._last

    def _bump(self, millis: int, counter: int) -> Stamp:
        if counter >= MAX_COUNTER:
            return Stamp(millis + 1, 0, self.node)
        return Stamp(millis, counter + 1, self.node)
