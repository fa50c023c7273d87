"""The UID composer: type a UID and see the grammar's own verdict as you type, with completion
of driver names, known providers and catalog models, and a form kept in step both ways.

Once a driver (and its ;url=) is known, the models its provider serves now are listed under the
form (in a worker, a spinner meanwhile, one line if it fails; nothing for a driver that cannot
list or whose key is not set); enter on one fills the model, and so the UID.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Button, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from drivers.model_listing import ModelList
from drivers.uid import GRAMMAR, PredefinedSUT, SUTDefinition, UIDError, parse_uid
from sutui.errors import in_app_words
from sutui.live_models import ListingSource
from sutui.messages import AddSUT
from sutui.screens.base import Page
from sutui.screens.live_listing import (
    ListingFailed,
    ModelsListed,
    Spinner,
    failure_text,
    list_models,
)
from sutui.services import Services
from sutui.widgets.footer import Footer

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


LIVE_GROUP = "composer-live"
TYPING_S = 0.3
"""Wait this long after the last change of the driver or URL before asking for its models."""


class ComposerScreen(Page[None]):
    DEFAULT_CSS = """
    #live-status { height: auto; padding: 0 1; margin-top: 1; color: $text-muted; }
    #live-models { height: auto; max-height: 8; display: none; }
    """
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="composer.back", tooltip="Compare"),
        Binding("ctrl+s", "add", "Add to compare", id="composer.add",
                tooltip="Add the UID as a compare column"),
        Binding("down", "live_models", "Live models", show=False, id="composer.live",
                tooltip="To the models the driver's provider serves now"),
    ]  # fmt: skip

    def __init__(self, services: Services, text: str = ""):
        super().__init__(id="composer")
        self.services = services
        self.initial = text
        self._echo: set[tuple[str, str]] = set()
        """(input id, value) pairs set by code, so their Changed events are not sent back."""
        self.valid = False
        self.suggester = UIDSuggester(services)
        self.live_source: ListingSource | None = None
        """The driver, provider and URL of the form, when its driver lists models."""
        self.live_found: ModelList | None = None
        self.live_failure: str | None = None
        self.spinner = Spinner(self, self._show_live)

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
            yield Static(id="live-status", markup=False)
            yield OptionList(id="live-models")
            with Horizontal(classes="buttons"):
                yield Button("Add to compare", variant="primary", id="add")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "UID composer"
        self.query_one("#uid", Input).focus()
        self._uid_changed(self.initial)
        self._want_live()

    # ----- text -> form ----------------------------------------------------------------------
    @on(Input.Changed, "#uid")
    def _uid_input(self, event: Input.Changed) -> None:
        if ("uid", event.value) in self._echo:
            self._echo.discard(("uid", event.value))
            return
        self._uid_changed(event.value)
        self._want_live()

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
        self._want_live()
        data = self._form_data()
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

    def _form_data(self) -> dict[str, object]:
        data: dict[str, object] = {
            name: self.query_one(f"#f-{name}", Input).value.strip() for name in FIELDS[:-1]
        }
        data["options"] = parse_options(self.query_one("#f-options", Input).value)
        return data

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
        verdict.update(Text(in_app_words(text)))  # f3, not a CLI command

    def action_add(self) -> None:
        text = self.query_one("#uid", Input).value.strip()
        if not self.valid:
            self.notify("Fix the UID first: its problem is shown under it.", severity="warning")
            return
        self.post_message(AddSUT(text))

    @on(Button.Pressed, "#add")
    def _add_pressed(self) -> None:
        self.action_add()

    # ----- the live models of the form's driver ------------------------------------------------
    def _want_live(self) -> None:
        """List the models of the form's driver, provider and URL when they changed (after a
        pause in typing); a driver that cannot list hides the list. The options field's hint
        follows the driver too."""
        self._fill_live()  # the model typed filters the list
        driver = self.query_one("#f-driver", Input).value.strip().lower()
        self.query_one("#f-options", Input).placeholder = self._options_hint(driver)
        provider = self.query_one("#f-provider", Input).value.strip() or None
        url = parse_options(self.query_one("#f-options", Input).value).get("url") or None
        source = ListingSource(driver, provider, url) if self._lists_models(driver) else None
        if source == self.live_source:
            return
        self.live_source, self.live_found, self.live_failure = source, None, None
        self.workers.cancel_group(self, LIVE_GROUP)
        if source is not None:
            list_models(self, self.services, source, group=LIVE_GROUP, delay_s=TYPING_S)
        self._show_live()

    def _options_hint(self, driver: str) -> str:
        """The options field's placeholder: the options the form's driver takes, with an
        example value each (never one it refuses); the generic hint while it names none."""
        try:
            accepted = (
                self.services.registry.get(driver).factory.ACCEPTED_OPTIONS if driver else None
            )
        except Exception:  # an unknown driver: the verdict says so
            accepted = None
        if accepted is None:
            return _PLACEHOLDERS["options"]
        if not accepted:
            return f"none: the {driver} driver takes no options"
        return "optional, e.g. " + ";".join(option_example(k, h) for k, h in accepted.items())

    def _lists_models(self, driver: str) -> bool:
        if not driver:
            return False
        try:
            info = self.services.registry.get(driver)
            return bool(getattr(info.factory, "LISTS_MODELS", False))
        except Exception:  # an unknown driver: the verdict says so
            return False

    @on(ModelsListed)
    def _live_listed(self, message: ModelsListed) -> None:
        if message.source == self.live_source:
            self.live_found, self.live_failure = message.found, None
            self._show_live()

    @on(ListingFailed)
    def _live_failed(self, message: ListingFailed) -> None:
        if message.source != self.live_source:
            return
        if message.quiet:  # its key is not set: nothing to offer, nothing to complain of
            self.live_source = None
        self.live_failure = message.reason
        self._show_live()

    def _show_live(self) -> None:
        source, found = self.live_source, self.live_found
        status = self.query_one("#live-status", Static)
        loading = source is not None and found is None and self.live_failure is None
        if source is None:
            status.display = False
        elif loading:
            status.update(Text(f"{self.spinner.glyph} listing models at {source.where}…"))
        elif found is None:
            status.update(Text(failure_text(source, self.live_failure or "")))
        else:
            count = len(found.models)
            status.update(
                Text(f"{count} live model{'s' if count != 1 else ''} at {source.where}"
                     + (" · ↓ to them, enter fills the model" if count else ""))
            )  # fmt: skip
        status.display = source is not None
        self._fill_live()
        self.spinner.turn_while(loading)

    def _fill_live(self) -> None:
        """The listed models, those that contain the model typed first (all when none does)."""
        choices = self.query_one("#live-models", OptionList)
        found = self.live_found if self.live_source is not None else None
        ids = found.ids if found is not None else []
        typed = self.query_one("#f-model", Input).value.strip().lower()
        fits = [i for i in ids if typed and typed in i.lower()]
        shown = fits + [i for i in ids if i not in fits]
        if [o.id for o in choices.options] != [f"m:{i}" for i in shown]:
            choices.set_options([Option(Text(i), id=f"m:{i}") for i in shown])
            choices.highlighted = 0 if shown else None
        choices.display = bool(shown)

    def action_live_models(self) -> None:
        listed = self.query_one("#live-models", OptionList)
        if not listed.display or listed.has_focus:
            raise SkipAction()
        listed.focus()

    @on(OptionList.OptionSelected, "#live-models")
    def _live_chosen(self, event: OptionList.OptionSelected) -> None:
        """The chosen model in the form's UID (its date and options kept)."""
        model_id = (event.option.id or "")[2:]
        maker, _, model = model_id.partition("/")
        if not model:
            maker, model = "", model_id
        data = {**self._form_data(), "maker": maker, "model": model}
        try:
            text = SUTDefinition.from_dict(data).format()
        except UIDError as exc:
            self._verdict(False, str(exc))
            return
        self.query_one("#uid", Input).value = text  # the form follows the text


_PLACEHOLDERS = {
    "maker": "optional, e.g. meta-llama",
    "model": "e.g. Llama-3.1-8B-Instruct",
    "provider": "optional, e.g. together (hfrelay needs one)",
    "driver": "e.g. openai, hfrelay, ollama, demo",
    "date": "optional, YYYYMMDD",
    "options": "optional, key=value;… (the driver's options: f3 lists them)",
}


def option_example(key: str, help_text: str) -> str:
    """`key=value` from a driver's help for one option: its "e.g." value, else the value the
    help starts with, else its default, else `key=…` ("vllm-*" with "e.g.
    vllm-repetition_penalty=1.1" gives that example)."""
    example = re.search(r"e\.g\. (\S+?)[,;)]?(?:\s|$)", help_text)
    if example:
        value = example.group(1)
        return value if "=" in value else f"{key}={value}"
    name = key.rstrip("*")
    lead = re.match(r"(\w+)(?: \(default\))?:", help_text)  # "n: as …", "chat (default): …"
    default = lead or re.search(r"\(default (\S+?)\)", help_text)
    return f"{name}={default.group(1)}" if default else f"{name}=…"
