"""Every declared secret: set or missing, which layer supplied it, its masked value; set, delete
(with confirmation), test and import a secrets.toml. Without a keyring, what is set or imported
here is kept for this session only (drivers/session_secrets.py). Keyring calls run in thread
workers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Label, Static

from drivers.keyring_layer import KeyringEntryMissing, KeyringProblem
from drivers.readiness import DeclaredSecret
from drivers.redaction import mask
from drivers.secret_store import (
    SecretsFileError,
    SecretStore,
    SecretValue,
    find_secrets_file,
    read_secrets_file,
)
from drivers.session_secrets import SAID as SESSION_SAID
from sutui.messages import SetupSecrets
from sutui.screens.base import Dialog, Page
from sutui.screens.dialogs import ConfirmScreen as ConfirmScreen
from sutui.screens.setup import test_secret
from sutui.services import Services
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    replace: bool


class ImportScreen(Dialog[ImportRequest | None]):
    """`session`: no keyring can store, so the values are kept for this session only."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="import.close", tooltip="Close")]

    def __init__(self, session: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session

    def compose(self) -> ComposeResult:
        found = find_secrets_file()
        into = "for this session (no OS keyring)" if self.session else "into the OS keyring"
        with Vertical(classes="dialog"):
            yield Label(f"Import a secrets.toml {into}", classes="dialog-title", markup=False)
            if self.session:
                yield Static(f"Its values are {SESSION_SAID}.", id="session", markup=False)
            yield Input(str(found or ""), placeholder="path to secrets.toml", id="path")
            yield Checkbox("replace values that differ", id="replace")
            yield Static(id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Import", variant="primary", id="import")

    @on(Input.Submitted)
    @on(Button.Pressed, "#import")
    def _go(self) -> None:
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        try:
            read_secrets_file(path)
        except SecretsFileError as exc:
            self.query_one("#problem", Static).update(Text(str(exc), "red"))
            return
        self.dismiss(ImportRequest(path, self.query_one("#replace", Checkbox).value))


class SecretsScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="secrets.back", tooltip="Compare"),
        Binding("s,enter", "set", "Set", id="secrets.set", tooltip="Store a value in the keyring"),
        Binding(
            "d",
            "delete",
            "Delete",
            id="secrets.delete",
            tooltip="Delete from the keyring (or forget the session's value)",
        ),
        Binding("t", "test", "Test", id="secrets.test", tooltip="Ask the provider if it works"),
        Binding("i", "import", "Import", id="secrets.import", tooltip="Import a secrets.toml"),
        Binding("r", "refresh", "Refresh", id="secrets.refresh", tooltip="Look everything up"),
    ]

    @dataclass
    class Looked(Message):
        found: dict[str, SecretValue | None]
        keyring: str

    @dataclass
    class Done(Message):
        text: str
        severity: str = "information"

    def __init__(self, services: Services):
        super().__init__(id="secrets")
        self.services = services
        self.declared = services.declared_secrets()
        self.found: dict[str, SecretValue | None] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the background look-up has answered (tests wait for it before a snapshot)."""
        return self.found is not None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("keyring: checking…", id="keyring", markup=False)
        table: DataTable[object] = Table(id="table", cursor_type="row", zebra_stripes=True)
        table.add_columns("secret", "state", "layer", "value", "used by")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "secrets"
        self._fill()
        self.query_one(DataTable).focus()
        self.look_up()

    @work(thread=True, exit_on_error=False, group="keyring")
    def look_up(self) -> None:
        found = {s.name: self.services.lookup(s.description) for s in self.declared}
        layer = self.services.store.keyring
        status = "keyring: off (SUTUI_KEYRING=off)" if layer is None else layer.status_line()
        kept = len(self.services.store.session.names())
        if kept:
            status += f" · {kept} kept for this session only (in memory)"
        problem = self.services.store.keyring_problem()
        if problem is not None:
            status += f" · {problem}"
        self.post_message(self.Looked(found, status))

    @on(Looked)
    def _looked(self, message: Looked) -> None:
        self.found = message.found
        self.query_one("#keyring", Static).update(Text(message.keyring))
        self._fill()

    @on(Done)
    def _done(self, message: Done) -> None:
        if message.severity == "error":
            self.notify(message.text, severity="error", markup=False)
        else:
            self.notify(message.text, markup=False)
        self.look_up()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for secret in self.declared:
            found = None if self.found is None else self.found.get(secret.name)
            if self.found is None:
                state = Text("checking…", style="dim")
            elif found is None:
                state = Text("missing", "red") if secret.required else Text("optional", "dim")
            else:
                state = Text("set", style="green")
            table.add_row(
                Text(secret.name),
                state,
                Text(found.layer if found else ""),
                Text(mask(found.value) if found else ""),
                Text(", ".join(secret.used_by), style="dim"),
                key=secret.name,
            )
        table.move_cursor(row=min(row, table.row_count - 1))

    @property
    def current(self) -> DeclaredSecret | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return self.declared[table.cursor_row]

    def action_set(self) -> None:
        secret = self.current
        if secret is not None:
            self.post_message(SetupSecrets([secret.description], secret.name))

    def action_refresh(self) -> None:
        self.look_up()

    def action_delete(self) -> None:
        secret = self.current
        if secret is None:
            return
        store = self.services.store
        found = None if self.found is None else self.found.get(secret.name)
        if found is not None and found.layer == "session":
            d = secret.description

            def forget(yes: bool | None) -> None:
                if yes and store.session.delete(d.scope, d.key):
                    self.post_message(self.Done(f"Forgot {secret.name} (kept for the session)."))

            question = f"Forget {secret.name}, kept for this session?"
            self.app.push_screen(ConfirmScreen(question), forget)
            return
        usable = store.keyring_enabled and store.keyring_problem() is None
        if usable and self.found is not None and found is None:
            # Only a keyring that answered can say so; else the delete says what is wrong.
            self.notify(f"Nothing to delete: {secret.name} is not set.", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(secret)

        question = f"Delete {secret.name} from the OS keyring?"
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="keyring")
    def delete(self, secret: DeclaredSecret) -> None:
        d = secret.description
        try:
            self.services.store.delete(d.scope, d.key)
        except KeyringEntryMissing:
            self.post_message(self.Done(f"The keyring holds no {secret.name}.", "error"))
            return
        except KeyringProblem as exc:
            self.post_message(self.Done(str(exc), "error"))
            return
        self.post_message(self.Done(f"Deleted {secret.name} from the OS keyring."))

    def action_test(self) -> None:
        secret = self.current
        if secret is not None:
            self.notify(f"Testing {secret.description.scope}…", markup=False)
            self.test(secret)

    @work(thread=True, exit_on_error=False, group="test")
    def test(self, secret: DeclaredSecret) -> None:
        ok, detail = test_secret(self.services, secret.description.scope)
        word = {True: "works", False: "REFUSED", None: "untested"}[ok]
        self.post_message(
            self.Done(f"{secret.name} {word}: {detail}", "error" if ok is False else "")
        )

    def action_import(self) -> None:
        def chosen(request: ImportRequest | None) -> None:
            if request is not None:
                self.import_file(request)

        self.choose_import(chosen)

    @work(thread=True, exit_on_error=False, group="keyring")
    def choose_import(self, chosen: Callable[[ImportRequest | None], None]) -> None:
        """Ask the keyring first (it may take its timeout), so the dialog says where it goes."""
        session = not self.services.store.can_store()
        self.app.call_from_thread(self.app.push_screen, ImportScreen(session), chosen)

    @work(thread=True, exit_on_error=False, group="keyring")
    def import_file(self, request: ImportRequest) -> None:
        store = self.services.store
        if not store.can_store():
            self._import_for_session(store, request)
            return
        done = skipped = 0
        try:
            values = read_secrets_file(request.path)
            layer = store.writable_keyring()
            layer.check()
            for scope, table in sorted(values.items()):
                for key, value in sorted(table.items()):
                    current = layer.get(scope, key)
                    if not value.strip() or current == value or (current and not request.replace):
                        skipped += 1
                        continue
                    layer.set(scope, key, value.strip())
                    done += 1
        except (SecretsFileError, KeyringProblem) as exc:
            self.post_message(self.Done(str(exc), "error"))
            return
        self.post_message(
            self.Done(f"Imported {done} secrets from {request.path} ({skipped} skipped).")
        )

    def _import_for_session(self, store: SecretStore, request: ImportRequest) -> None:
        """No keyring: each value kept in memory for this process only."""
        done = skipped = 0
        try:
            values = read_secrets_file(request.path)
        except SecretsFileError as exc:
            self.post_message(self.Done(str(exc), "error"))
            return
        for scope, table in sorted(values.items()):
            for key, value in sorted(table.items()):
                current = store.session.get(scope, key)
                same = current == value.strip()
                if not value.strip() or same or (current and not request.replace):
                    skipped += 1
                else:
                    store.keep_for_session(scope, key, value)
                    done += 1
        self.post_message(
            self.Done(
                f"Imported {done} secrets from {request.path} ({skipped} skipped), {SESSION_SAID}."
            )
        )
