"""Messages that cross screens; each screen's own messages live on the widget that sends them.

Workers post messages; only handlers change widgets. Plain classes, not dataclasses: making a
dataclass costs ~0.25 ms at import, and these load before the first frame (bench/app_start.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from drivers.secrets import SecretDescription
    from sutui.history.store import StoredRun
    from sutui.history.threads import Resumed


class AddSUT(Message):
    """Add a column for this UID to the compare screen (from any screen)."""

    def __init__(self, uid: str) -> None:
        super().__init__()
        self.uid = uid


class ComposeUID(Message):
    """Open the UID composer with this text."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text


class SetupSecrets(Message):
    """Open the guided secrets setup for exactly these secrets."""

    def __init__(self, descriptions: Sequence[SecretDescription], purpose: str = "") -> None:
        super().__init__()
        self.descriptions = descriptions
        self.purpose = purpose
        """What they are for (a SUT UID or a driver name), shown as the setup's title."""


class RerunRequested(Message):
    """Send a saved run again from the compare screen: its SUTs (or only those that did not
    finish well), prompt, system prompt and options; the new run names it its parent."""

    def __init__(self, run: StoredRun, only_failed: bool = False) -> None:
        super().__init__()
        self.run = run
        self.only_failed = only_failed


class ContinueConversation(Message):
    """Go on with a saved conversation in the compare screen: its threads become the columns,
    their earlier turns shown, ready for the next turn (from the history list's t)."""

    def __init__(self, run_id: int, resumed: Resumed) -> None:
        super().__init__()
        self.run_id = run_id
        """The latest turn of the branch to go on from: the next send is recorded with
        `previous_id=run_id` (RunRecorder.begin)."""
        self.resumed = resumed
        """The branch read back (sutui/history/threads.py): `conversation` keyed by thread,
        `threads` (key, SUT to make, canonical UID, options) in column order, `last` the
        run."""
