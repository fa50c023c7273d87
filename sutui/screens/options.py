"""Generation options for every column (shared) or for one column (its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from drivers.options import SUTOptions
from sutui.screens.base import Dialog
from sutui.timeouts import timeout_text

FIELDS = (
    ("max_tokens", "max tokens", "integer"),
    ("temperature", "temperature", "number"),
    ("top_p", "top_p", "number"),
    ("top_k_per_token", "top_k", "integer"),
    ("stop_sequences", "stop", "text"),
    ("seed", "seed", "integer"),
    ("reasoning", "reasoning", "text"),
    ("timeout_s", "timeout (s)", "number"),
)
"""(field, label, input type); all but timeout_s are SUTOptions fields (the timeout is the
runner's: FanOut(timeout_s=…))."""
LABELS = {name: label for name, label, _ in FIELDS}


PLACEHOLDERS = {
    "stop_sequences": "provider default · comma-separated",
    "seed": "none · the same seed repeats an answer where supported",
    "timeout_s": f"{timeout_text(None)} · seconds for a whole answer",
    "reasoning": "model default · none minimal low medium high, or tokens",
}


@dataclass(frozen=True)
class OptionsResult:
    options: SUTOptions | None
    """None: the column follows the shared options again."""
    timeout_s: float | None = None


def options_summary(
    options: SUTOptions, timeout_s: float | None = None, always: bool = False
) -> str:
    """The options in a line; the timeout when set (`always`: the default one too)."""
    data: dict[str, object] = options.model_dump(exclude_none=True)
    parts = [f"{k}={v}" for k, v in data.items()] or ["provider defaults"]
    if timeout_s is not None or always:
        parts.append(f"timeout={timeout_text(timeout_s)}")
    return ", ".join(parts)


def _bounds(name: str) -> tuple[str, str]:
    """('at least 1', 'between 0 and 2', …): the field's limits in words."""
    low = high = ""
    for rule in SUTOptions.model_fields[name].metadata:
        for attr, word in (("ge", "at least"), ("gt", "more than")):
            if getattr(rule, attr, None) is not None:
                low = f"{word} {getattr(rule, attr):g}"
        for attr, word in (("le", "at most"), ("lt", "less than")):
            if getattr(rule, attr, None) is not None:
                high = f"{word} {getattr(rule, attr):g}"
    return low, high


def friendly(error: dict[str, Any]) -> str:
    """One pydantic error in the dialog's words: "temperature must be between 0 and 2"."""
    loc = error.get("loc") or ("",)
    name = str(loc[0])
    label = LABELS.get(name, name)
    if name not in SUTOptions.model_fields:
        return str(error.get("msg", "")).removeprefix("Value error, ")
    low, high = _bounds(name)
    if not (low or high):  # a rule of its own (reasoning): its message says it
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if low.startswith("at least") and high.startswith("at most"):
        return f"{label} must be between {low[9:]} and {high[8:]}"
    if low or high:
        return f"{label} must be {' and '.join(w for w in (low, high) if w)}"
    return f"{label}: {error.get('msg', 'not a valid value')}"


class OptionsScreen(Dialog[OptionsResult | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="options.close", tooltip="Keep as is"),
        Binding("ctrl+s", "save", "Save", id="options.save", tooltip="Use these options"),
    ]

    def __init__(
        self,
        options: SUTOptions,
        title: str,
        per_column: bool = False,
        timeout_s: float | None = None,
    ):
        super().__init__(classes="dialog-screen")
        self.options = options
        self.timeout_s = timeout_s
        self.title_text = title
        self.per_column = per_column

    def compose(self) -> ComposeResult:
        data = self.options.model_dump()
        data["timeout_s"] = self.timeout_s
        with Vertical(classes="dialog options"):
            yield Label(self.title_text, classes="dialog-title")
            for name, label, kind in FIELDS:
                value = data.get(name)
                if isinstance(value, float):
                    value = f"{value:g}"
                if isinstance(value, list):
                    value = ", ".join(value)
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(
                        "" if value is None else str(value),
                        placeholder=PLACEHOLDERS.get(name, "provider default"),
                        type=kind if kind != "text" else "text",  # type: ignore[arg-type]
                        id=name,
                        compact=True,
                    )
            yield Static(id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                if self.per_column:
                    yield Button("Use shared options", id="shared")
                yield Button("Cancel", id="cancel")

    def read(self) -> tuple[SUTOptions, float | None]:
        """The options and the timeout; ValueError says what is wrong in the dialog's words."""
        shown = {name for name, _, _ in FIELDS}
        # Options the form does not show (penalties, logprobs...) are kept as they were.
        values: dict[str, object] = {
            k: v for k, v in self.options.model_dump(exclude_none=True).items() if k not in shown
        }
        for name, label, kind in FIELDS:
            raw = self.query_one(f"#{name}", Input).value.strip()
            if not raw:
                continue
            try:
                if name == "stop_sequences":
                    values[name] = [s.strip() for s in raw.split(",") if s.strip()]
                elif name == "reasoning":
                    values[name] = raw
                elif kind == "integer":
                    values[name] = int(raw)
                else:
                    values[name] = float(raw)
            except ValueError:
                what = "a whole number" if kind == "integer" else "a number"
                raise ValueError(f"{label} must be {what}, not {raw!r}") from None
        timeout = values.pop("timeout_s", None)
        if timeout is not None and not 0 < float(str(timeout)) <= 3600:
            raise ValueError("timeout must be more than 0 and at most 3600 seconds")
        try:
            options = SUTOptions.model_validate(values)
        except ValidationError as exc:
            raise ValueError("; ".join(friendly(dict(e)) for e in exc.errors())) from None
        return options, None if timeout is None else float(str(timeout))

    def action_save(self) -> None:
        try:
            options, timeout = self.read()
        except ValueError as exc:
            self.query_one("#problem", Static).update(Text(str(exc), "red"))
            return
        self.dismiss(OptionsResult(options, timeout))

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
