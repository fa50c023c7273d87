"""The UID composer: type a UID and see the grammar's own verdict as you type, with completion
of driver names, known providers and catalog models, and a form kept in step both ways."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Button, Footer, Header, Input, Label, Static

from drivers.uid import GRAMMAR, PredefinedSUT, SUTDefinition, UIDError, parse_uid
from sutui.messages import AddSUT
from sutui.screens.base import Page
from sutui.services import Services

FIELDS = ("maker", "model", "provider", "driver", "date", "options")


class UIDSuggester(Suggester):
    """Completes the chunk being typed: a model (first), else a provider or a driver."""

    def __init__(self, services: Services):
        super().__init__(use_cache=False, case_sensitive=True)
        self.drivers = sorted(services.drivers())
        entries = list(services.catalog)
        self.providers = sorted({e.definition.provider for e in entries if e.definition.provider})
        self.models = sorted(
            {e.definition.external_model_name() for e in entries if e.definition.driver != "demo"}
        )

    def candidates(self, value: str) -> tuple[str, list[str]]:
        """(what is being completed, the names that fit the chunk being typed)."""
        if ";" in value:
            return "", []
        chunks = value.split(":")
        last = chunks[-1]
        if len(chunks) == 1:
            kind, names = "models", self.models
        elif len(chunks) == 2:
            kind, names = "drivers or providers", sorted({*self.drivers, *self.providers})
        elif len(chunks) == 3:
            kind, names = "drivers", self.drivers
        else:
            return "", []
        fits = [n for n in names if n.lower().startswith(last.lower()) and n != last]
        return kind, fits

    async def get_suggestion(self, value: str) -> str | None:
        _, fits = self.candidates(value)
        if not fits or not value:
            return None
        last = value.split(":")[-1]
        return value[: len(value) - len(last)] + fits[0]


def parse_options(text: str) -> dict[str, str]:
    """'url=http://x;reas=y' -> {'url': 'http://x', 'reas': 'y'} (split on the first '=')."""
    out: dict[str, str] = {}
    for chunk in text.split(";"):
        if chunk.strip():
            key, _, value = chunk.partition("=")
            out[key.strip()] = value.strip()
    return out


class ComposerScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="composer.back", tooltip="Compare"),
        Binding("ctrl+s", "add", "Add to compare", id="composer.add",
                tooltip="Add the UID as a compare column"),
    ]  # fmt: skip

    def __init__(self, services: Services, text: str = ""):
        super().__init__(id="composer")
        self.services = services
        self.initial = text
        self._echo: set[tuple[str, str]] = set()
        """(input id, value) pairs set by code, so their Changed events are not sent back."""
        self.valid = False
        self.suggester = UIDSuggester(services)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="composer-body"):
            yield Label(f"SUT UID  ·  {GRAMMAR}", classes="dialog-title")
            yield Input(
                self.initial,
                placeholder="e.g. meta-llama/Llama-3.1-8B-Instruct:together",
                suggester=self.suggester,
                id="uid",
            )
            yield Static(id="verdict", classes="verdict", markup=False)
            yield Static(id="candidates", markup=False)
            with Grid(id="form"):
                for name in FIELDS:
                    yield Label(name, classes="field-label")
                    yield Input(
                        id=f"f-{name}",
                        placeholder=_PLACEHOLDERS[name],
                        classes="form-field",
                        compact=True,
                    )
            yield Static(id="form-note", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Add to compare", variant="primary", id="add")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "UID composer"
        self.query_one("#uid", Input).focus()
        self._uid_changed(self.initial)

    # ----- text -> form ----------------------------------------------------------------------
    @on(Input.Changed, "#uid")
    def _uid_input(self, event: Input.Changed) -> None:
        if ("uid", event.value) in self._echo:
            self._echo.discard(("uid", event.value))
            return
        self._uid_changed(event.value)

    def _uid_changed(self, text: str) -> None:
        kind, fits = self.suggester.candidates(text)
        hint = f"{kind}: {', '.join(fits[:8])}{' …' if len(fits) > 8 else ''}" if fits else ""
        self.query_one("#candidates", Static).update(Text(hint, style="dim"))
        if not text.strip():
            self._clear_form()
            self._verdict(None, "Type a UID, or fill in the form below.")
            return
        try:
            ref = parse_uid(text)
        except UIDError as exc:
            self._verdict(False, self._first_problem(text, exc))
            return
        if isinstance(ref, SUTDefinition):
            self._set_form(ref)
        self._check(text, ref)

    def _first_problem(self, text: str, error: UIDError) -> str:
        """The most important problem of a UID that does not parse: its structure, then its
        driver, then its options. The form shows what could be parsed, or waits (disabled)."""
        base, _, options = text.partition(";")
        self._clear_form(follows=False)  # until the part before the options parses
        if not base.strip():
            return str(error)  # options with nothing before them: the grammar says so
        try:
            ref = parse_uid(base)
        except UIDError as exc:
            return str(exc) if options else str(error)
        if not isinstance(ref, SUTDefinition):
            return str(error)
        self._set_form(ref, options)
        try:
            self.services.registry.get(ref.driver, text)
        except UIDError as exc:
            return str(exc)
        except Exception:  # a misbehaving plugin: the grammar's own error stays
            return str(error)
        return str(error)

    def _form_follows(self, follows: bool) -> None:
        """A form that cannot show the text is disabled, never left showing an older UID that
        editing it would bring back."""
        self.query_one("#form", Grid).disabled = not follows
        note = "" if follows else "The form follows the UID once its parts parse."
        form_note = self.query_one("#form-note", Static)
        form_note.update(Text(note, style="dim italic"))
        form_note.display = not follows

    def _clear_form(self, follows: bool = True) -> None:
        for name in FIELDS:
            field = self.query_one(f"#f-{name}", Input)
            if field.value:
                self._echo.add((field.id or "", ""))
                field.value = ""
        self._form_follows(follows)

    def _set_form(self, definition: SUTDefinition, raw_options: str | None = None) -> None:
        values = {
            "maker": definition.maker or "",
            "model": definition.model,
            "provider": definition.provider or "",
            "driver": definition.driver,
            "date": definition.date or "",
            "options": raw_options
            if raw_options is not None
            else ";".join(f"{k}={v}" for k, v in definition.options),
        }
        for name, value in values.items():
            field = self.query_one(f"#f-{name}", Input)
            if field.value != value:
                self._echo.add((field.id or "", value))
                field.value = value
        self._form_follows(True)

    # ----- form -> text ----------------------------------------------------------------------
    @on(Input.Changed, ".form-field")
    def _field_input(self, event: Input.Changed) -> None:
        key = (event.input.id or "", event.value)
        if key in self._echo:
            self._echo.discard(key)
            return
        data: dict[str, object] = {
            name: self.query_one(f"#f-{name}", Input).value.strip() for name in FIELDS[:-1]
        }
        data["options"] = parse_options(self.query_one("#f-options", Input).value)
        try:
            definition = SUTDefinition.from_dict(data)
        except UIDError as exc:
            self._verdict(False, str(exc))
            return
        text = definition.format()
        uid = self.query_one("#uid", Input)
        if uid.value != text:
            self._echo.add(("uid", text))
            uid.value = text
        self.query_one("#candidates", Static).update("")  # they were for the text typed
        self._check(text, definition)

    # ----- verdict ---------------------------------------------------------------------------
    def _check(self, text: str, ref: PredefinedSUT | SUTDefinition) -> None:
        try:
            definition, info = self.services.resolve(text)
        except UIDError as exc:
            if isinstance(ref, PredefinedSUT):
                self._clear_form(follows=False)  # an unknown name: nothing to show
            self._verdict(False, str(exc))
            return
        if isinstance(ref, PredefinedSUT):
            self._set_form(definition)  # what the name stands for; editing it makes a dynamic UID
            what = f"✓ the predefined SUT {ref.name}: {definition.format()}"
        else:
            what = f"✓ valid · driver {info.name} · canonical form {definition.format()}"
        self._verdict(True, what)

    def _verdict(self, ok: bool | None, text: str) -> None:
        self.valid = bool(ok)
        verdict = self.query_one("#verdict", Static)
        verdict.set_class(ok is True, "-ok")
        verdict.set_class(ok is False, "-bad")
        verdict.update(Text(text))

    def action_add(self) -> None:
        text = self.query_one("#uid", Input).value.strip()
        if not self.valid:
            self.notify("Fix the UID first: its problem is shown under it.", severity="warning")
            return
        self.post_message(AddSUT(text))

    @on(Button.Pressed, "#add")
    def _add_pressed(self) -> None:
        self.action_add()


_PLACEHOLDERS = {
    "maker": "optional, e.g. meta-llama",
    "model": "e.g. Llama-3.1-8B-Instruct",
    "provider": "optional, e.g. together (hfrelay needs one)",
    "driver": "e.g. openai, hfrelay, ollama, demo",
    "date": "optional, YYYYMMDD",
    "options": "optional, e.g. url=http://127.0.0.1:8080/v1;reas=y",
}
