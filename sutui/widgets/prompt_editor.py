"""The compare screen's editor: the prompt, the optional system prompt above it, and the Send /
Add SUT / Options links beside it.

The system prompt's editor is mounted when first shown (ctrl+t, or a re-run that had one): most
sends have none, and a hidden TextArea would still cost the first frame its styling.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import TextArea

from sutui.widgets.action_links import ActionLinks

SUBTITLE = "ctrl+s sends · f3 drivers · f4 SUTs · f5 compose · f6 secrets"
PLACEHOLDER = "Type a prompt · ctrl+s sends to every column"
"""What an empty prompt box says to do."""


class PromptEditor(Vertical):
    """`-system` on this widget shows the system prompt (sutui.tcss)."""

    def __init__(self) -> None:
        super().__init__(id="editor")

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-row"):
            prompt = TextArea(id="prompt", show_line_numbers=False, placeholder=PLACEHOLDER)
            prompt.border_title = "prompt"
            prompt.border_subtitle = SUBTITLE
            yield prompt
            yield ActionLinks(
                [("Send", "screen.send"), ("Add SUT", "screen.add"), ("Options", "screen.options")],
                id="prompt-buttons",
            )

    @property
    def prompt(self) -> TextArea:
        return self.query_one("#prompt", TextArea)

    @property
    def system_text(self) -> str:
        """The system prompt ("" while its editor was never opened)."""
        editor = self._system_editor(create=False)
        return editor.text if editor is not None else ""

    def _system_editor(self, create: bool = True) -> TextArea | None:
        editor = next(self.query("#system").results(TextArea), None)
        if editor is None and create:
            editor = TextArea(id="system", show_line_numbers=False)
            editor.border_title = "system prompt (optional)"
            self.mount(editor, before=0)
        return editor

    def set_system(self, text: str) -> None:
        """Put `text` in the system prompt and show its editor, or hide it when `text` is empty."""
        editor = self._system_editor(create=bool(text))
        if editor is not None:
            editor.text = text
        self.set_class(bool(text), "-system")

    def toggle_system(self) -> None:
        """Show the system prompt and focus it, or hide it and focus the prompt."""
        self.toggle_class("-system")
        system = self._system_editor()
        assert system is not None
        (system if self.has_class("-system") else self.prompt).focus()
