"""Messages the run worker posts; only their handlers change widgets."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from drivers.runner import RunEvent


@dataclass
class RunEventPosted(Message):
    """One event of a fan-out run, for the column whose key it names."""

    event: RunEvent


@dataclass
class RunDone(Message):
    """The whole fan-out has ended."""
