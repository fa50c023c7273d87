"""How fast one driver is called: a concurrency window that a 429 halves and successes grow back
(AIMD, as TCP does), an optional requests-per-second cap, and a pause when the provider says
how long to wait.

Each driver has its own `DriverLimits`, so a provider that throttles slows only the SUTs of its
own driver. The window is written here (a few lines on futures) because asyncio.Semaphore cannot
change its size while tasks wait on it; the rate cap is aiolimiter's leaky bucket.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter


class AdaptiveWindow:
    """At most `limit` holders at once; `limit` moves between 1 and `ceiling`.

    - `shrink(epoch)`: halve, once per round trip: only a call that started after the last
      halving (its `epoch` is current) may halve again, so a burst of 429s from calls already in
      flight counts once.
    - `grow()`: +1/limit per success, so +1 per window of successes.

    A released slot goes to a waiter on the next turn of the loop, unless a task takes it
    before then: a batch worker that has just finished a call takes its slot back at once for
    its next call, without a hop through the loop (measured by bench/batch.py). Waiters are
    served first come, first served.
    """

    def __init__(self, ceiling: int):
        self.ceiling = max(1, ceiling)
        self.size = float(self.ceiling)
        self.in_use = 0
        self.epoch = 0
        self.shrinks = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._wake_soon = False

    @property
    def limit(self) -> int:
        return max(1, int(self.size))

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch to pass to `shrink`."""
        if self.in_use < self.limit:
            self.in_use += 1
            return self.epoch
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            raise
        return self.epoch

    def release(self) -> None:
        self.in_use -= 1
        if self._waiters and not self._wake_soon:
            self._wake_soon = True
            asyncio.get_running_loop().call_soon(self._wake)

    def _wake(self) -> None:
        self._wake_soon = False
        while self._waiters and self.in_use < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_use += 1  # the slot passes to the waiter
                waiter.set_result(None)

    def grow(self) -> None:
        if self.size < self.ceiling:
            self.size = min(float(self.ceiling), self.size + 1.0 / self.size)
            self._wake()

    def shrink(self, epoch: int) -> bool:
        if epoch != self.epoch:
            return False
        self.size = max(1.0, self.size / 2)
        self.epoch += 1
        self.shrinks += 1
        return True


@dataclass
class DriverLimits:
    """The window, the rate cap and the provider-asked pause of one driver."""

    name: str
    window: AdaptiveWindow
    rate: AsyncLimiter | None = None
    paused_until: float = 0.0
    throttled: int = field(default=0)
    """429s seen (each retry the transport makes, and each final one)."""

    @classmethod
    def make(cls, name: str, concurrency: int, rps: float | None) -> DriverLimits:
        rate = None if rps is None else AsyncLimiter(rps, 1.0)
        return cls(name, AdaptiveWindow(concurrency), rate)

    async def acquire(self) -> int:
        loop = asyncio.get_running_loop()
        while True:
            while (wait := self.paused_until - loop.time()) > 0:
                await asyncio.sleep(wait)
            epoch = await self.window.acquire()
            if self.paused_until <= loop.time():
                break
            self.window.release()  # a pause began while we waited for the slot
        if self.rate is not None:
            try:
                await self.rate.acquire()
            except BaseException:
                self.window.release()
                raise
        return epoch

    def release(self, ok: bool) -> None:
        if ok:
            self.window.grow()
        self.window.release()

    def on_throttle(self, epoch: int, retry_after: float | None) -> None:
        """A 429 for a call that got its slot at `epoch`."""
        self.throttled += 1
        self.window.shrink(epoch)
        if retry_after:
            loop = asyncio.get_running_loop()
            self.paused_until = max(self.paused_until, loop.time() + min(retry_after, 60.0))
