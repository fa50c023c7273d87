"""Generation options for every column (shared) or for one column (its own)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from drivers.options import SUTOptions

FIELDS = (
    ("max_tokens", "max tokens", "integer"),
    ("temperature", "temperature", "number"),
    ("top_p", "top_p", "number"),
    ("top_k_per_token", "top_k", "integer"),
    ("stop_sequences", "stop", "text"),
)


@dataclass(frozen=True)
class OptionsResult:
    options: SUTOptions | None
    """None: the column follows the shared options again."""


def options_summary(options: SUTOptions) -> str:
    data = options.model_dump(exclude_none=True)
    return ", ".join(f"{k}={v}" for k, v in data.items()) or "provider defaults"


class OptionsScreen(ModalScreen[OptionsResult | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="options.close", tooltip="Keep as is"),
        Binding("ctrl+s", "save", "Save", id="options.save", tooltip="Use these options"),
    ]

    def __init__(self, options: SUTOptions, title: str, per_column: bool = False):
        super().__init__(classes="dialog-screen")
        self.options = options
        self.title_text = title
        self.per_column = per_column

    def compose(self) -> ComposeResult:
        data = self.options.model_dump()
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for name, label, kind in FIELDS:
                value = data.get(name)
                if isinstance(value, list):
                    value = ", ".join(value)
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(
                        "" if value is None else str(value),
                        placeholder="provider default"
                        + (" · comma-separated" if name == "stop_sequences" else ""),
                        type=kind if kind != "text" else "text",  # type: ignore[arg-type]
                        id=name,
                    )
            yield Static(id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                if self.per_column:
                    yield Button("Use shared options", id="shared")
                yield Button("Cancel", id="cancel")

    def read(self) -> SUTOptions:
        values: dict[str, object] = {}
        for name, _, kind in FIELDS:
            raw = self.query_one(f"#{name}", Input).value.strip()
            if not raw:
                continue
            if name == "stop_sequences":
                values[name] = [s.strip() for s in raw.split(",") if s.strip()]
            elif kind == "integer":
                values[name] = int(raw)
            else:
                values[name] = float(raw)
        return SUTOptions.model_validate(values)

    def action_save(self) -> None:
        try:
            options = self.read()
        except (ValidationError, ValueError) as exc:
            errors = exc.errors() if isinstance(exc, ValidationError) else None
            if errors:
                text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
            else:
                text = str(exc)
            self.query_one("#problem", Static).update(Text(text, "red"))
            return
        self.dismiss(OptionsResult(options))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#shared")
    def _shared(self) -> None:
        self.dismiss(OptionsResult(None))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
