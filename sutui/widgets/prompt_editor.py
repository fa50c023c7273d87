"""The compare screen's editor: the prompt, the optional system prompt above it, and the Send /
Add SUT / Options links beside it.

The first frame shows a stand-in for the prompt box (`PromptStandIn`), and the real editor (a
TextArea) takes its place right after: importing, mounting and drawing a TextArea was ~14 ms of
the first frame (20 paired pty launches on bench/app_start.py's harness: first paint 1.30x a
bare Textual app with it, 1.23x without). The stand-in looks the same and takes focus, so keys
typed meanwhile are not lost: it keeps what is typed or pasted (characters, enter, backspace)
and hands it to the TextArea, and a send in between sends it. Everything reads and writes the
prompt through this widget (`text`, `title`, `focus_prompt`), whichever of the two is there.

The system prompt's editor is mounted when first shown (ctrl+t, or a re-run that had one): most
sends have none, and a hidden TextArea would still cost the first frame its styling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from drivers.visible_text import visible
from sutui.widgets.action_links import ActionLinks

if TYPE_CHECKING:
    from textual.widgets import TextArea

SUBTITLE = "ctrl+s sends · f3 drivers · f4 SUTs · f5 compose · f6 secrets"
PLACEHOLDER = "Type a prompt · ctrl+s sends to every column"
"""What an empty prompt box says to do."""
TITLE = "prompt"


class PromptStandIn(Widget, can_focus=True):
    """The prompt box until the TextArea is mounted: drawn as the TextArea draws an empty one
    (its placeholder dim, the cursor on its first cell), and keeping what is typed."""

    DEFAULT_CSS = """
    PromptStandIn {
        padding: 0 1;
        color: $foreground;
        background: $surface;
        & > .prompt-stand-in--placeholder { color: $text 40%; }
        & > .prompt-stand-in--cursor { text-style: $input-cursor-text-style; }
    }
    """
    COMPONENT_CLASSES = {"prompt-stand-in--placeholder", "prompt-stand-in--cursor"}

    def __init__(self) -> None:
        super().__init__(id="prompt-stand-in")
        self.text = ""
        self.successor: TextArea | None = None
        """The TextArea that took this box's place (see hand_over)."""
        self.border_title = TITLE
        self.border_subtitle = SUBTITLE

    def render(self) -> Text:
        cursor = self.get_component_rich_style("prompt-stand-in--cursor", partial=True)
        if not self.text:
            muted = self.get_component_rich_style("prompt-stand-in--placeholder", partial=True)
            shown = Text(PLACEHOLDER, style=muted, no_wrap=False)
            if self.has_focus:
                shown.stylize(cursor, 0, 1)
            return shown
        shown = Text(visible(self.text))  # no control character reaches the terminal
        if self.has_focus:
            shown.append(" ", style=cursor)
        return shown

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            self._type("\n")
        elif event.key == "backspace":
            self._erase()
        elif event.is_printable and event.character:
            self._type(event.character)
        else:
            return  # a binding's key (ctrl+s, tab, ...) goes on as it would from the TextArea
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        self._type(event.text)
        event.stop()

    def _type(self, text: str) -> None:
        if self.successor is not None:  # sent to this widget before the TextArea had focus
            self.successor.insert(text)
            return
        self.text += text
        self.refresh()

    def _erase(self) -> None:
        if self.successor is not None:
            self.successor.action_delete_left()
            return
        self.text = self.text[:-1]
        self.refresh()

    def hand_over(self, prompt: TextArea) -> None:
        """The TextArea (mounted, hidden) takes this box's place: its text, title and focus.
        Run in this widget's own queue, so after every key the app had sent it by then; a key
        the app sent it meanwhile is queued behind this and goes on to the TextArea (`_type`),
        and this widget is removed after those."""
        prompt.border_title = self.border_title
        if self.text:
            prompt.text = self.text
            prompt.move_cursor(prompt.document.end)
        prompt.display = True
        self.display = False
        if self.has_focus:
            self.screen.set_focus(prompt, scroll_visible=False)
        self.successor = prompt
        self.call_later(self.remove)  # after what is queued here now

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class PromptEditor(Vertical):
    """`-system` on this widget shows the system prompt (sutui.tcss)."""

    def __init__(self) -> None:
        super().__init__(id="editor")

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-row"):
            yield PromptStandIn()
            yield ActionLinks(
                [("Send", "screen.send"), ("Add SUT", "screen.add"), ("Options", "screen.options")],
                id="prompt-buttons",
            )

    def on_mount(self) -> None:
        self.call_after_refresh(self._make_prompt)  # after the first frame

    async def _make_prompt(self) -> None:
        from textual.widgets import TextArea

        stand_in = next(self.query(PromptStandIn).results(PromptStandIn), None)
        if stand_in is None or not self.is_attached:  # the app is already leaving
            return
        prompt = TextArea(id="prompt", show_line_numbers=False, placeholder=PLACEHOLDER)
        prompt.border_subtitle = SUBTITLE
        prompt.display = False
        await self.query_one("#prompt-row").mount(prompt, before=stand_in)
        stand_in.call_later(stand_in.hand_over, prompt)

    @property
    def prompt(self) -> TextArea | None:
        """The prompt's TextArea once it has taken the stand-in's place (None before: in the
        first frame, and while it is mounted, hidden)."""
        from textual.widgets import TextArea

        stand_in = next(self.query(PromptStandIn).results(PromptStandIn), None)
        if stand_in is not None and stand_in.successor is None:
            return None
        return next(self.query("#prompt").results(TextArea), None)

    def _box(self) -> TextArea | PromptStandIn:
        prompt = self.prompt
        return prompt if prompt is not None else self.query_one(PromptStandIn)

    @property
    def text(self) -> str:
        return self._box().text

    @text.setter
    def text(self, text: str) -> None:
        box = self._box()
        box.text = text
        box.refresh()

    @property
    def title(self) -> str:
        return str(self._box().border_title)

    @title.setter
    def title(self, title: str) -> None:
        self._box().border_title = title

    def focus_prompt(self) -> None:
        self._box().focus()

    @property
    def prompt_has_focus(self) -> bool:
        return self._box().has_focus

    @property
    def system_text(self) -> str:
        """The system prompt ("" while its editor was never opened)."""
        editor = self._system_editor(create=False)
        return editor.text if editor is not None else ""

    def _system_editor(self, create: bool = True) -> TextArea | None:
        from textual.widgets import TextArea

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
        (system if self.has_class("-system") else self._box()).focus()
