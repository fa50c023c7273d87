"""The sutui terminal app (a first, minimal compare screen: the full app is its own issue)."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, TextArea

from drivers.errors import classify
from drivers.prompt import TextPrompt
from drivers.registry import make_sut
from drivers.runner import Failed, FanOut, RunTarget, Timings
from drivers.secret_store import SecretStore
from sutui.messages import RunDone, RunEventPosted
from sutui.widgets.sut_column import SUTColumn

DEFAULT_SUTS = ("demo_yes_no", "demo_echo", "demo_always_sorry")


class SutuiApp(App[None]):
    TITLE = "sutui"
    SUB_TITLE = "compare"
    CSS = """
    #columns { height: 1fr; }
    #prompt { height: 6; border: round $primary; }
    """
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="send", tooltip="Send the prompt to every SUT"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Cancel every running SUT"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, suts: tuple[str, ...] = DEFAULT_SUTS, store: SecretStore | None = None):
        super().__init__()
        self.sut_uids = suts
        self.store = store or SecretStore()
        self._fanout: FanOut | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="columns"):
            for i, uid in enumerate(self.sut_uids):
                yield SUTColumn(uid, id=f"col-{i}")
        prompt = TextArea(id="prompt", show_line_numbers=False)
        prompt.border_title = "prompt · ctrl+s sends"
        yield prompt
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#prompt", TextArea).focus()

    def action_send(self) -> None:
        text = self.query_one("#prompt", TextArea).text
        if not text.strip():
            self.notify("Type a prompt first.", severity="warning")
            return
        self.run_prompt(text)

    def action_cancel(self) -> None:
        if self._fanout is not None:
            self._fanout.cancel_all()

    @work(exclusive=True, group="run", exit_on_error=False)
    async def run_prompt(self, text: str) -> None:
        raw = self.store.raw_secrets()
        targets = []
        for i, uid in enumerate(self.sut_uids):
            try:
                targets.append(RunTarget(f"col-{i}", make_sut(uid, raw)))
            except Exception as exc:  # shown in that SUT's column; the others still run
                self.post_message(
                    RunEventPosted(Failed(f"col-{i}", classify(exc), "", Timings(None, 0.0)))
                )
        self._fanout = FanOut(targets, TextPrompt(text=text))
        async for event in self._fanout.events():
            self.post_message(RunEventPosted(event))
        self.post_message(RunDone())

    @on(RunEventPosted)
    def _on_run_event(self, message: RunEventPosted) -> None:
        self.query_one(f"#{message.event.key}", SUTColumn).apply(message.event)

    @on(RunDone)
    def _on_run_done(self) -> None:
        self._fanout = None


def run_app(ctx: Any) -> None:
    SutuiApp(store=getattr(ctx, "store", None)).run()
