"""Messages that cross screens; each screen's own messages live on the widget that sends them.

Workers post messages; only handlers change widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from drivers.secrets import SecretDescription
    from sutui.history.store import StoredRun
    from sutui.history.threads import Resumed


@dataclass
class AddSUT(Message):
    """Add a column for this UID to the compare screen (from any screen)."""

    uid: str


@dataclass
class ComposeUID(Message):
    """Open the UID composer with this text."""

    text: str = ""


@dataclass
class SetupSecrets(Message):
    """Open the guided secrets setup for exactly these secrets."""

    descriptions: Sequence[SecretDescription]
    purpose: str = ""
    """What they are for (a SUT UID or a driver name), shown as the setup's title."""


@dataclass
class RerunRequested(Message):
    """Send a saved run again from the compare screen: its SUTs (or only those that did not
    finish well), prompt, system prompt and options; the new run names it its parent."""

    run: StoredRun
    only_failed: bool = False


@dataclass
class ContinueConversation(Message):
    """Go on with a saved conversation in the compare screen: its threads become the columns,
    their earlier turns shown, ready for the next turn (from the history list's t)."""

    run_id: int
    """The latest turn of the branch to go on from: the next send is recorded with
    `previous_id=run_id` (RunRecorder.begin)."""
    resumed: Resumed
    """The branch read back (sutui/history/threads.py): `conversation` keyed by thread,
    `threads` (key, SUT to make, canonical UID, options) in column order, `last` the run."""
