"""Pick a SUT for a new column: search the catalog, pick a recent one, pick a model a provider
serves now (its live list), or type a dynamic UID. A catalog SUT whose key is not set says so,
as the SUTs screen (f4) does; a search with no match says so too.

The live lists are asked for when the picker opens, never before (sutui/live_models.py says
which): each source in its own worker, a spinner while it lists, one dim line when it fails,
and the catalog usable all along. A cached list (a day) shows at once; ctrl+r asks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from drivers.model_listing import ModelList
from drivers.readiness import Readiness, catalog_readiness
from drivers.uid import UIDError, is_predefined_uid
from sutui.errors import in_app_words
from sutui.live_models import ListingSource
from sutui.screens.base import Dialog
from sutui.screens.live_listing import (
    ListingFailed,
    ModelsListed,
    SourcesFound,
    Spinner,
    failure_text,
    find_sources_in_thread,
    list_models,
)
from sutui.services import Services

HELP = "enter adds · ↓ to the list · esc closes"
LIVE_HELP = "enter adds · ↓ to the list · ctrl+r lists again · esc closes"
NO_MATCH = "no match for '{}' (or type a UID: maker/model:driver)"
NO_MATCH_ID = "s:none"
DISCOVERING = "s:*"
"""The id of the line shown while the sources are being found."""
QUIET_FRAMES = 5
"""Finding the sources takes a moment (the drivers load): say so only if it takes longer than
this many spinner frames, so a picker with nothing to list does not flash a line."""


def validate_uid(services: Services, uid: str) -> str | None:
    """The grammar's (or the registry's) own error for `uid`, or None when it can be used."""
    try:
        services.resolve(uid)
    except UIDError as exc:
        return in_app_words(str(exc))
    return None


@dataclass
class LiveList:
    """What the picker knows of one source: listing, listed or failed."""

    source: ListingSource
    found: ModelList | None = None
    failure: str | None = None
    in_catalog: dict[str, list[str]] | None = None

    @property
    def loading(self) -> bool:
        return self.found is None and self.failure is None


class PickerScreen(Dialog[str | None]):
    DEFAULT_CSS = """
    #choices { text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="picker.close", tooltip="Add nothing"),
        Binding("down", "focus_list", "List", show=False, id="picker.list"),
        Binding("ctrl+r", "refresh_live", "Refresh live", show=False, id="picker.refresh",
                tooltip="Ask every provider again for the models it serves"),
    ]  # fmt: skip

    def __init__(self, services: Services, in_use: Sequence[str] = ()):
        super().__init__(classes="dialog-screen")
        self.services = services
        self.in_use = list(in_use)
        """The compare screen's UIDs: their ;url= servers are listed too."""
        self.words: list[str] = []
        self.discovering = True
        self.discovery_shown_at = QUIET_FRAMES
        """The spinner frame from which the discovering line shows."""
        self.live: dict[str, LiveList] = {}
        self.readiness: dict[str, Readiness] = {}
        """Catalog SUT -> whether its secrets are set (looked up in a thread on opening)."""
        self.spinner = Spinner(self, self._spin)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a SUT", classes="dialog-title")
            yield Input(
                placeholder="search the catalog, or type a UID (maker/model:driver)", id="query"
            )
            yield Static(id="verdict", markup=False)
            yield OptionList(id="choices")
            yield Label(HELP, id="picker-help", classes="dialog-help")

    def on_mount(self) -> None:
        self._fill()
        self._discover(refresh=False)
        self._look_up_readiness()

    # ----- which catalog SUTs lack a key (as the SUTs screen, f4, says) ------------------------
    @dataclass
    class Looked(Message):
        readiness: dict[str, Readiness]

    @work(thread=True, exit_on_error=False, group="picker-readiness")
    def _look_up_readiness(self) -> None:
        """In a thread: a lookup may wait on the OS keyring."""
        services = self.services
        found = catalog_readiness(services.catalog, services.store, services.registry)
        self.post_message(self.Looked({r.uid: r for r in found}))

    @on(Looked)
    def _looked(self, message: Looked) -> None:
        self.readiness = message.readiness
        self._fill()

    # ----- the live lists --------------------------------------------------------------------
    def _discover(self, refresh: bool) -> None:
        self.discovering = True
        self.discovery_shown_at = self.spinner.frame + (0 if refresh else QUIET_FRAMES)
        uids = [*self.in_use, *self.services.settings.recent]
        find_sources_in_thread(self, self.services, uids, refresh)
        self._spin_while_loading()

    @on(SourcesFound)
    def _sources_found(self, message: SourcesFound) -> None:
        self.discovering = False
        # A list asked again (ctrl+r) stays shown until its answer: a failure keeps it.
        before = self.live
        self.live = {s.key: LiveList(s) for s in message.sources}
        for key, state in self.live.items():
            if key in before:
                state.found, state.in_catalog = before[key].found, before[key].in_catalog
        for source in message.sources:
            list_models(self, self.services, source, refresh=message.refresh)
        if message.sources:
            self.query_one("#picker-help", Label).update(LIVE_HELP)
        self._fill()
        self._spin_while_loading()

    @on(ModelsListed)
    def _listed(self, message: ModelsListed) -> None:
        state = self.live.get(message.source.key)
        if state is not None:
            state.found, state.failure = message.found, None
            state.in_catalog = message.found.in_catalog(self.services.catalog)
            self._fill()

    @on(ListingFailed)
    def _failed(self, message: ListingFailed) -> None:
        key = message.source.key
        if key not in self.live:
            return
        if message.quiet and message.source.url is None:
            del self.live[key]  # a driver's default address it cannot list (it needs a URL)
        else:
            self.live[key].failure = message.reason  # a list shown before stays, marked
        self._fill()

    def action_refresh_live(self) -> None:
        """Find the sources again (a key may have been set since) and ask each provider."""
        self._discover(refresh=True)
        self._fill()

    def _spin_while_loading(self) -> None:
        loading = self.discovering or any(s.loading for s in self.live.values())
        self.spinner.turn_while(loading)

    def _spin(self) -> None:
        if self.spinner.frame == self.discovery_shown_at and self.discovering:
            self._fill()  # the discovering line appears
        choices = self.query_one(OptionList)
        for option_id, prompt in self._status_lines():
            if _index_of(choices, option_id) is not None:
                choices.replace_option_prompt(option_id, prompt)
        self._spin_while_loading()

    def _status_lines(self) -> list[tuple[str, Text]]:
        """(option id, its line) of what is still loading, with the spinner's current frame."""
        spin = self.spinner.glyph
        lines = []
        if self.discovering and self.spinner.frame >= self.discovery_shown_at:
            lines.append((DISCOVERING, Text(f"{spin} looking for live model lists…", "dim")))
        for key, state in self.live.items():
            if state.loading:
                where = state.source.where
                lines.append((f"s:{key}", Text(f"{spin} listing models at {where}…", "dim")))
        return lines

    def _live_options(self) -> list[Option | None]:
        options: list[Option | None] = []
        loading = dict(self._status_lines())
        if DISCOVERING in loading:
            options.append(Option(loading[DISCOVERING], id=DISCOVERING, disabled=True))
        for key, state in self.live.items():
            header = f"s:{key}"
            if state.loading:
                options.append(Option(loading[header], id=header, disabled=True))
            elif state.failure is not None:
                line = Text(failure_text(state.source, state.failure), "dim")
                options.append(Option(line, id=header, disabled=True))
                if state.found is not None:  # the list had before, still usable
                    options.extend(self._model_options(state, state.found))
            elif state.found is not None:
                options.append(Option(_header(state.source, state.found), id=header, disabled=True))
                options.extend(self._model_options(state, state.found))
        return [None, *options] if options else []

    def _model_options(self, state: LiveList, found: ModelList) -> list[Option | None]:
        out: list[Option | None] = []
        for model in found.models:
            uid = found.uid_for(model.id)
            haystack = f"{uid} {model.display_name or ''} {state.source.where}".lower()
            if not all(w in haystack for w in self.words):
                continue
            names = (state.in_catalog or {}).get(model.id)
            marks = [f"in the catalog as {', '.join(names)}"] if names else []
            if uid in self.in_use:
                marks.append("already a column")
            label = Text.assemble("  ", model.id, (f"  {' · '.join(marks)}", "dim italic"))
            out.append(Option(label, id=f"l:{uid}"))
        return out

    # ----- the list --------------------------------------------------------------------------
    def _fill(self, keep_highlight: bool = True) -> None:
        """Recent, catalog and live entries that match the words typed. The highlighted entry
        stays highlighted when a list arrives (`keep_highlight`), else the first one is."""
        words = self.words
        choices = self.query_one(OptionList)
        before = choices.highlighted if keep_highlight else None
        keep = choices.get_option_at_index(before).id if before is not None else None
        options: list[Option | None] = []
        for uid in self.services.settings.recent:
            if all(w in uid.lower() for w in words):
                label = Text.assemble(("recent  ", "dim"), uid, self._needs(uid))
                options.append(Option(label, id=f"r:{uid}"))
        for entry in self.services.catalog.current():  # a retired name, typed, says why not
            haystack = f"{entry.uid} {entry.definition.driver} {entry.description}".lower()
            if all(w in haystack for w in words):
                label = Text.assemble(
                    entry.uid, (f"  {entry.definition.driver}", "dim"), self._needs(entry.uid)
                )
                options.append(Option(label, id=f"c:{entry.uid}"))
        seen: set[str | None] = set()
        for option in self._live_options():  # never one id twice (a hand-edited cache)
            if option is None or option.id not in seen:
                options.append(option)
                seen.add(option.id if option is not None else None)
        if words and not any(o is not None and not o.disabled for o in options):
            options.insert(0, Option(Text(NO_MATCH.format(" ".join(words)), "dim"),
                                     id=NO_MATCH_ID, disabled=True))  # fmt: skip
        choices.set_options(options)
        index = _index_of(choices, keep) if keep else None
        if index is None or choices.get_option_at_index(index).disabled:
            index = next((i for i, o in enumerate(choices.options) if not o.disabled), None)
        choices.highlighted = index

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        verdict = self.query_one("#verdict", Static)
        if text and not is_predefined_uid(text):
            problem = validate_uid(self.services, text)
            verdict.update(Text(problem or f"✓ {text} can be added", "red" if problem else "green"))
            self.words = []
            self._fill(keep_highlight=False)
            return
        verdict.update("")
        self.words = text.lower().split()
        self._fill(keep_highlight=False)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text and not is_predefined_uid(text):
            if validate_uid(self.services, text) is None:
                self.dismiss(text)
            return
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            option = choices.get_option_at_index(choices.highlighted)
            if not option.disabled:
                self.dismiss((option.id or "")[2:])
        elif text:
            problem = validate_uid(self.services, text)
            self.query_one("#verdict", Static).update(Text(problem or "", "red"))
            if problem is None:
                self.dismiss(text)

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((event.option.id or "")[2:])

    def _needs(self, uid: str) -> Text:
        """What a catalog SUT lacks before it can run (a key, as f4 says), or nothing."""
        ready = self.readiness.get(uid)
        if ready is None or ready.ready:
            return Text("")
        if ready.problem:
            return Text(f"  ✗ {ready.problem}", "red")
        return Text("  ✗ missing " + ", ".join(s.description.name for s in ready.missing), "red")

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()


def _index_of(choices: OptionList, option_id: str) -> int | None:
    try:
        return choices.get_option_index(option_id)
    except OptionDoesNotExist:
        return None


def _header(source: ListingSource, found: ModelList) -> Text:
    count = f"{len(found.models)} model{'s' if len(found.models) != 1 else ''}"
    cached = " · cached" if found.from_cache else ""
    return Text.assemble(
        ("live  ", "bold"), source.where, (f"  {found.definition.driver} · {count}{cached}", "dim")
    )
