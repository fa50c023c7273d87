"""Guided setup: walk each secret of a SUT or driver with its instructions, store it in the OS
keyring (without one: keep it for this session only, in memory) and test it. Every keyring call
and test runs in a thread worker (the keyring layer bounds each call with its own timeout), so
the UI never waits on D-Bus or a network."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from drivers.keyring_layer import FALLBACK, STATUS_TEXT, KeyringProblem
from drivers.redaction import mask, register_secret
from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import SecretDescription
from drivers.session_secrets import SAID as SESSION_SAID
from sutui.screens.base import Dialog
from sutui.services import Services


def secret_text(
    services: Services, description: SecretDescription, found: SecretValue | None
) -> Text:
    text = Text()
    text.append(description.name, style="bold")
    if found is None:
        text.append("  missing\n", style="red")
    else:
        text.append(f"  set · {found.layer} ({found.source}) · {mask(found.value)}\n", "green")
    if description.instructions:
        text.append(description.instructions.strip() + "\n", style="italic")
    names = services.store.env_names(description.scope, description.key)
    text.append("Or set it in the environment: " + " or ".join(names), style="dim")
    return text


def test_secret(
    services: Services, scope: str, store: SecretStore | None = None
) -> tuple[bool | None, str]:
    """(True ok / False rejected / None unknown, what happened): blocks, run it in a thread.
    `store`: test against another store (a value that was not stored)."""
    from sutui.secret_check import check_secret, has_check

    if not has_check(scope, services.registry):
        return None, f"sutui has no test for '{scope}': it is checked on the first real call."
    try:
        result = check_secret(
            store or services.store, scope, timeout=10.0, registry=services.registry
        )
    except Exception as exc:  # InputError and friends say what to do
        return None, str(exc)
    return (True if result.ok else False if result.outcome == "rejected" else None), result.detail


class SetupScreen(Dialog[bool]):
    """Dismissed with True when at least one secret was stored (or kept for the session)."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="setup.close", tooltip="Stop the setup"),
        Binding("ctrl+n", "skip", "Skip", id="setup.skip", tooltip="Go to the next secret"),
    ]

    @dataclass
    class Looked(Message):
        index: int
        found: SecretValue | None

    @dataclass
    class Stored(Message):
        index: int
        problem: str | None
        test: tuple[bool | None, str] | None
        stored: bool = True
        """False: kept for this session only (no keyring could store it)."""

    @dataclass
    class KeyringChecked(Message):
        problem: str | None
        """None: the keyring can store secrets."""

    def __init__(self, services: Services, descriptions: list[SecretDescription], purpose: str):
        super().__init__(classes="dialog-screen")
        self.services = services
        self.descriptions = descriptions
        self.purpose = purpose
        self.index = 0
        self.stored = 0
        self.kept = 0
        """How many were kept for this session only (no keyring)."""
        self._keyring_text: str | None = None
        self.can_store = True
        self.loaded = False  # set once the keyring has said whether it can store
        """can_store is False once the keyring check says it cannot store: a value is then kept
        for this session only."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Set up secrets for {self.purpose}", classes="dialog-title", markup=False)
            yield Static(id="step-count", markup=False)
            yield Static("…", id="step", markup=False)
            yield Static(id="keyring", markup=False)
            yield Input(password=True, placeholder="paste the value (hidden)", id="value")
            yield Static(id="outcome", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Store in keyring & test", variant="primary", id="store")
                yield Button("Skip", id="skip")
            keys = "enter stores · ctrl+n skips · esc closes"
            yield Label(keys, classes="dialog-help", id="keys")

    def on_mount(self) -> None:
        self._show_step()
        self.check_keyring()

    @work(thread=True, exit_on_error=False, group="keyring-status")
    def check_keyring(self) -> None:
        """Ask the keyring once, before any value is pasted, whether it can store one."""
        store = self.services.store
        layer = store.keyring
        status = store.keyring_status()
        if layer is not None and status == "unknown":
            status = layer.probe()
        if status == "ok":
            self.post_message(self.KeyringChecked(None))
            return
        problem = store.keyring_problem()
        if problem is not None:  # its "meanwhile, the environment…" is said once, below
            why = str(problem).replace(FALLBACK, "").strip()
        else:
            why = f"The OS keyring is {STATUS_TEXT.get(status, status)}."
        self.post_message(self.KeyringChecked(why))

    @on(KeyringChecked)
    def _keyring_checked(self, message: KeyringChecked) -> None:
        self.can_store = message.problem is None
        self.loaded = True
        button = self.query_one("#store", Button)
        button.label = "Store in keyring & test" if self.can_store else "Keep for session & test"
        if not self.can_store:
            keys = "enter keeps it for this session and tests · ctrl+n skips · esc closes"
            self.query_one("#keys", Label).update(keys)
        self._show_keyring_problem(message.problem)

    def _show_keyring_problem(self, problem: str | None) -> None:
        notice = self.query_one("#keyring", Static)
        if problem is None:
            notice.update("")
            return
        self._keyring_text = problem
        d = self.description
        notice.update(
            Text.assemble(
                (problem.rstrip(".") + ".\n", "yellow"),
                (
                    f"A value pasted here is {SESSION_SAID}. To keep it, use the environment "
                    f'(above) or a secrets.toml ([{d.scope}] {d.key} = "…", --secrets PATH).',
                    "italic",
                ),
            )
        )

    @property
    def description(self) -> SecretDescription:
        return self.descriptions[self.index]

    def _show_step(self) -> None:
        count = len(self.descriptions)
        self.query_one("#step-count", Static).update(Text(f"secret {self.index + 1} of {count}"))
        self.query_one("#step", Static).update(Text(f"{self.description.name}  checking…"))
        self.query_one("#value", Input).value = ""
        self.query_one("#value", Input).focus()
        if not self.can_store:
            self._show_keyring_problem(self._keyring_text)
        self.look_up(self.index)

    @work(thread=True, exit_on_error=False, group="keyring")
    def look_up(self, index: int) -> None:
        found = self.services.lookup(self.descriptions[index])
        self.post_message(self.Looked(index, found))

    @on(Looked)
    def _looked(self, message: Looked) -> None:
        if message.index == self.index:
            text = secret_text(self.services, self.description, message.found)
            self.query_one("#step", Static).update(text)

    @work(thread=True, exit_on_error=False, group="keyring")
    def store(self, index: int, value: str) -> None:
        description = self.descriptions[index]
        if not self.can_store:  # no keyring: in memory, for this process only
            self.services.store.keep_for_session(description.scope, description.key, value)
            test = test_secret(self.services, description.scope)
            self.post_message(self.Stored(index, None, test, stored=False))
            return
        try:
            self.services.store.set(description.scope, description.key, value)
        except KeyringProblem as exc:
            self.post_message(self.Stored(index, str(exc), None))
            return
        self.post_message(self.Stored(index, None, test_secret(self.services, description.scope)))

    @on(Stored)
    def _stored(self, message: Stored) -> None:
        outcome = self.query_one("#outcome", Static)
        self.query_one("#store", Button).disabled = False
        if message.problem is not None:
            outcome.update(Text(message.problem, style="red"))
            return
        name = self.descriptions[message.index].name
        ok, detail = message.test or (None, "")
        style = {True: "green", False: "red", None: "yellow"}[ok]
        if message.stored:
            self.stored += 1
            verdict = {True: "works", False: "was refused", None: "is stored"}[ok]
            said = f"{name} stored in the OS keyring and {verdict}: {detail}"
        else:
            self.kept += 1
            verdict = {True: "works", False: "was refused", None: "is kept"}[ok]
            said = f"{name} kept for this session only and {verdict}: {detail}"
        outcome.update(Text(said, style))
        if ok is not False:
            self._advance()

    def _advance(self) -> None:
        if self.index + 1 < len(self.descriptions):
            self.index += 1
            self._show_step()
        else:
            said = f"{self.stored} stored in the OS keyring"
            if self.kept:
                said = f"{self.kept} {SESSION_SAID}" + (f"; {said}" if self.stored else "")
            self.notify(f"Secrets for {self.purpose}: {said}.", title="Setup done", markup=False)
            self.dismiss(self.stored + self.kept > 0)

    def action_store(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        if not value:
            self.query_one("#outcome", Static).update(Text("Paste a value first.", "yellow"))
            return
        register_secret(value)
        self.query_one("#store", Button).disabled = True
        self.query_one("#outcome", Static).update(Text("storing…", style="dim"))
        self.store(self.index, value)

    def action_skip(self) -> None:
        self.query_one("#outcome", Static).update("")
        self._advance()

    def action_close(self) -> None:
        self.dismiss(self.stored + self.kept > 0)

    @on(Input.Submitted, "#value")
    def _submitted(self) -> None:
        self.action_store()

    @on(Button.Pressed, "#store")
    def _store_pressed(self) -> None:
        self.action_store()

    @on(Button.Pressed, "#skip")
    def _skip_pressed(self) -> None:
        self.action_skip()
