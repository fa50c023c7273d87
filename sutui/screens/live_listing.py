"""The workers behind the live model lists of the picker and the composer, and their messages.

Workers only post messages (the screen's handlers change widgets). They run on the screen, so
leaving it cancels them; one source's worker is exclusive in its own group, so asking again
(ctrl+r, or another URL typed in the composer) replaces it and the other sources go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen

from sutui.live_models import ListingSource, failure_line, fetch, find_sources

if TYPE_CHECKING:
    from textual.timer import Timer

    from drivers.model_listing import ModelList
    from sutui.services import Services

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPIN_S = 0.1


class Spinner:
    """A frame count that turns while something loads: one timer on `node`, calling `tick`
    after each turn, stopped as soon as nothing loads (the picker and the composer)."""

    def __init__(self, node: MessagePump, tick: Callable[[], None]) -> None:
        self.frame = 0
        self._node, self._tick = node, tick
        self._timer: Timer | None = None

    @property
    def glyph(self) -> str:
        return SPINNER[self.frame % len(SPINNER)]

    def turn_while(self, loading: bool) -> None:
        if loading and self._timer is None:
            self._timer = self._node.set_interval(SPIN_S, self._turn)
        elif not loading and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _turn(self) -> None:
        self.frame += 1
        self._tick()


@dataclass
class SourcesFound(Message):
    """The sources to list (found in a thread: the keyring may be slow)."""

    sources: list[ListingSource]
    refresh: bool


@dataclass
class ModelsListed(Message):
    source: ListingSource
    found: ModelList


@dataclass
class ListingFailed(Message):
    source: ListingSource
    reason: str
    """One line, no secret in it."""
    quiet: bool = False
    """A secret it needs is not set, or it cannot be listed without a URL: the user has not
    set this source up, so a screen may say nothing of it."""


def failure_text(source: ListingSource, reason: str) -> str:
    """✗, where (unless the reason names it already) and why."""
    return f"✗ {reason}" if source.where in reason else f"✗ {source.where}: {reason}"


def find_sources_in_thread(
    screen: Screen[Any], services: Services, uids: Sequence[str], refresh: bool = False
) -> None:
    def work() -> None:
        screen.post_message(SourcesFound(find_sources(services, list(uids)), refresh))

    screen.run_worker(work, thread=True, exclusive=True, group="live-sources", exit_on_error=False)


def list_models(
    screen: Screen[Any],
    services: Services,
    source: ListingSource,
    *,
    refresh: bool = False,
    group: str | None = None,
    delay_s: float = 0.0,
) -> None:
    """List `source` in an async worker on `screen` (in `group`, one per source by default);
    `delay_s` first, so a composer does not ask for every character of a URL being typed."""

    from drivers.secrets import MissingSecretValues
    from drivers.uid import UIDError

    async def work() -> None:
        if delay_s:
            await asyncio.sleep(delay_s)
        try:
            found = await fetch(services, source, refresh=refresh)
        except Exception as exc:  # every failure is a line on screen, never a crash
            quiet = isinstance(exc, MissingSecretValues | UIDError)
            screen.post_message(ListingFailed(source, failure_line(exc), quiet))
            return
        screen.post_message(ModelsListed(source, found))

    screen.run_worker(
        work(), group=group or f"live:{source.key}", exclusive=True, exit_on_error=False
    )
