"""Every registered driver (built-in and plugin): what it talks to, its UID options, its secrets
and whether each is set, example UIDs, and "compose a UID with this driver"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from drivers.registry import DriverInfo
from drivers.secret_store import SecretValue
from drivers.secrets import SecretDescription
from sutui.messages import AddSUT, ComposeUID, SetupSecrets
from sutui.screens.base import Page
from sutui.services import Services
from sutui.widgets.footer import Footer

Secrets = list[tuple[SecretDescription, bool, SecretValue | None]]

UID_PARTS = re.compile(r"(?=;|:(?!//))")
"""Where a UID may break across lines: before each `:` (not a URL's `://`) and `;`."""


def uid_lines(uid: str, width: int) -> list[str]:
    """`uid` in lines of at most `width` cells, broken only before a `:` or `;` (so never
    mid-word); a part longer than the width is a line of its own. Width 0: one line."""
    lines = [""]
    for part in UID_PARTS.split(uid):
        if lines[-1] and width and cell_len(lines[-1] + part) > width:
            lines.append(part)
        else:
            lines[-1] += part
    return lines


def driver_text(info: DriverInfo, secrets: Secrets | None, width: int = 0) -> Text:
    """The driver's detail, its example UIDs broken to fit `width` (0: not broken)."""
    factory = info.factory
    text = Text()
    text.append(f"{info.name}\n", style="bold")
    text.append(f"{factory.DESCRIPTION or 'no description'}\n", style="italic")
    text.append(f"{info.origin}", style="dim")
    text.append(f" · {'streams' if factory.STREAMS else 'answers in one piece'}", style="dim")
    if factory.PROVIDER_REQUIRED:
        text.append(" · needs a provider (model:PROVIDER:driver)", style="dim")
    text.append("\n\nUID options\n", style="bold underline")
    if factory.ACCEPTED_OPTIONS:
        for key, help_text in factory.ACCEPTED_OPTIONS.items():
            text.append(f"  ;{key}=", style="bold")
            text.append(f"  {help_text}\n")
    else:
        text.append("  none\n", style="dim")
    text.append("\nSecrets\n", style="bold underline")
    if secrets is None:
        text.append("  checking…\n", style="dim")
    elif not secrets:
        text.append("  none: works without a key\n", style="dim")
    for description, required, found in secrets or []:
        text.append(f"  {description.name}", style="bold")
        text.append(" (required)" if required else " (optional)", style="dim")
        if found is None:
            text.append(
                "  missing\n" if required else "  not set\n", style="red" if required else "dim"
            )
        else:
            text.append(f"  set · {found.layer}\n", style="green")
    text.append("\nExample UIDs\n", style="bold underline")
    for uid in factory.EXAMPLE_UIDS or (f"model:{info.name}",):
        first, *rest = uid_lines(uid, max(width - 4, 0))
        text.append(f"  {first}\n")
        for line in rest:  # its next parts indented under it
            text.append(f"    {line}\n")
    text.append("\nc compose a UID · a add the first example · s set up its secrets", style="dim")
    return text


class Detail(Static):
    """The driver's detail, drawn again at each new width (its example UIDs break to fit).
    A scrollbar coming makes it narrower and its text no shorter: no back and forth."""

    def __init__(self) -> None:
        super().__init__(id="detail", markup=False)
        self.shown: tuple[DriverInfo, Secrets | None] | None = None

    def show(self, info: DriverInfo, secrets: Secrets | None) -> None:
        self.shown = (info, secrets)
        self.update(driver_text(info, secrets, self.content_size.width))

    def on_resize(self, event: events.Resize) -> None:
        if self.shown is not None:
            self.show(*self.shown)


class DriversScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="drivers.back", tooltip="Compare"),
        Binding("c", "compose", "Compose UID", id="drivers.compose",
                tooltip="Open the UID composer with this driver's example"),
        Binding("a", "add", "Add example", id="drivers.add",
                tooltip="Add this driver's first example UID to compare"),
        Binding("s", "setup", "Set secrets", id="drivers.setup",
                tooltip="Guided setup of this driver's secrets"),
    ]  # fmt: skip

    @dataclass
    class Looked(Message):
        secrets: dict[str, Secrets]

    def __init__(self, services: Services):
        super().__init__(id="drivers")
        self.services = services
        self.infos = services.drivers()
        self.secrets: dict[str, Secrets] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the background look-up has answered (tests wait for it before a snapshot)."""
        return self.secrets is not None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            names = OptionList(
                *(Option(name, id=name) for name in self.infos), id="names", classes="master"
            )
            names.border_title = f"{len(self.infos)} drivers"
            yield names
            with VerticalScroll(classes="detail"):
                yield Detail()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "drivers"
        names = self.query_one("#names", OptionList)
        names.highlighted = 0
        names.focus()
        self.look_up()

    @property
    def current(self) -> DriverInfo | None:
        names = self.query_one("#names", OptionList)
        if names.highlighted is None:
            return None
        option_id = names.get_option_at_index(names.highlighted).id
        return self.infos.get(option_id or "")

    @work(thread=True, exit_on_error=False, group="lookup")
    def look_up(self) -> None:
        """Secret lookups may wait on the OS keyring: never on the UI's thread."""
        found: dict[str, Secrets] = {}
        for name, info in self.infos.items():
            try:
                injects = info.factory({}).get_secrets()
            except Exception:  # a plugin factory misbehaving must not break the screen
                injects = []
            found[name] = [
                (i.description(), i.required, self.services.lookup(i.description()))
                for i in injects
            ]
        self.post_message(self.Looked(found))

    @on(Looked)
    def _looked(self, message: Looked) -> None:
        self.secrets = message.secrets
        self._show()

    @on(OptionList.OptionHighlighted, "#names")
    def _highlighted(self) -> None:
        self._show()

    def _show(self) -> None:
        info = self.current
        if info is None:
            return
        secrets = None if self.secrets is None else self.secrets.get(info.name, [])
        self.query_one(Detail).show(info, secrets)

    def _example(self, info: DriverInfo) -> str:
        return (info.factory.EXAMPLE_UIDS or (f"model:{info.name}",))[0]

    def action_compose(self) -> None:
        if self.current is not None:
            self.post_message(ComposeUID(self._example(self.current)))

    def action_add(self) -> None:
        if self.current is not None:
            self.post_message(AddSUT(self._example(self.current)))

    def action_setup(self) -> None:
        info = self.current
        if info is None:
            return
        injects = info.factory({}).get_secrets()
        if not injects:
            self.notify(f"The {info.name} driver needs no secret.", markup=False)
            return
        self.post_message(SetupSecrets([i.description() for i in injects], info.name))
