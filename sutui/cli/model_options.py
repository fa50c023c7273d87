"""The options every command that sends prompts takes (`run-sut`, `batch`), written once: the
SUTs (--sut) and the model options --max-tokens, --temperature, --top-p, --top-k, --stop,
--seed and --timeout."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

import annotated_types
import click
from pydantic import ValidationError

from drivers.options import SUTOptions
from sutui.cli.errors import InputError, describe_validation
from sutui.timeouts import DEFAULT_TIMEOUT_S

F = TypeVar("F", bound=Callable[..., object])

suts_option = click.option(
    "--sut",
    "suts",
    multiple=True,
    required=True,
    metavar="UID",
    help="A predefined SUT or a dynamic UID (quote it: ';' is special to the shell). "
    "Repeat to run several at once.",
)
"""The command takes `suts: tuple[str, ...]`."""

_OPTIONS = (
    click.option("--max-tokens", type=int, default=None, help="Most tokens in an answer."),
    click.option("--temperature", type=float, default=None),
    click.option("--top-p", type=float, default=None),
    click.option("--top-k", type=int, default=None, help="Sample from the k likeliest tokens."),
    click.option("--stop", multiple=True, help="A stop sequence (repeatable)."),
    click.option("--seed", type=int, default=None),
    click.option(
        "--reasoning",
        default=None,
        metavar="LEVEL|TOKENS",
        help="How much a reasoning model may think: none, minimal, low, medium, high, or a "
        "token budget (each driver maps it; what a model cannot take is dropped, with a note).",
    ),
    click.option(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        show_default=True,
        help="Seconds one answer may take in all.",
    ),
    click.option(
        "--idle-timeout",
        type=float,
        default=None,
        help="Seconds a call may stay silent (between two events of a stream, or two chunks "
        "of a body) before it fails and is tried again [default: 60].",
    ),
)


def model_options(command: F) -> F:
    """Adds the options; the command takes max_tokens, temperature, top_p, top_k, stop, seed,
    reasoning, timeout and idle_timeout."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def sut_options(
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    top_k: int | None,
    stop: tuple[str, ...],
    seed: int | None,
    timeout: float,
    reasoning: str | None = None,
) -> SUTOptions:
    """The SUTOptions the flags ask for (a bad value is exit 2, with the flag's name)."""
    if not timeout > 0:  # nan too
        raise bad_flag("--timeout", timeout, "more than 0 seconds")
    given: dict[str, object] = {
        "max_tokens": max_tokens,
        "temperature": temperature,
        "top_p": top_p,
        "top_k_per_token": top_k,
        "stop_sequences": list(stop) or None,
        "seed": seed,
        "reasoning": reasoning,
    }
    try:
        return SUTOptions.model_validate(given)
    except ValidationError as exc:
        raise InputError(_describe(exc, given)) from None


_FLAGS = {
    "max_tokens": "--max-tokens",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "top_k_per_token": "--top-k",
    "stop_sequences": "--stop",
    "seed": "--seed",
    "reasoning": "--reasoning",
}
"""SUTOptions' field names (modelgauge's) to the flags a person typed."""


FEW_REQUESTS = 8
"""A run of at most this many requests goes over httpx's own connection pool. aiohttp's costs
less CPU per request at scale (drivers/http/client.py, bench/transport.py), but importing it
costs ~100 ms (it builds its TLS contexts at import), more than a few requests win back: a
one-shot `run-sut` is that much slower to exit (bench/oneshot.py)."""


def run_runtime(
    seconds: float | None, requests: int | None = None
) -> AbstractContextManager[object]:
    """The HTTP runtime of this run's calls, to enter around the run (the flag is checked now,
    before anything runs): --idle-timeout's idle (between-events) timeout, and for a run of
    `requests` <= FEW_REQUESTS (run-sut) httpx's own pool unless a backend was chosen
    (SUTUI_HTTP_BACKEND, or a caller's runtime). A runtime, not the process default, so an
    in-process caller (a test) keeps its own after."""
    if seconds is not None and not seconds > 0:  # nan too
        raise bad_flag("--idle-timeout", seconds, "more than 0 seconds")
    few = requests is not None and requests <= FEW_REQUESTS
    if seconds is None and not few:
        return nullcontext()
    from dataclasses import replace

    from drivers.transport import current_runtime, default_runtime, use_runtime

    runtime = before = current_runtime()
    if seconds is not None:
        runtime = replace(runtime, timeouts=replace(runtime.timeouts, read=seconds))
    chosen = before is not default_runtime() or os.environ.get("SUTUI_HTTP_BACKEND")
    if few and not chosen and runtime.transport is None:
        runtime = replace(runtime, backend="httpx")
    return use_runtime(runtime) if runtime is not before else nullcontext()


def bad_flag(flag: str, value: object, rule: str) -> InputError:
    """`--top-k -1: must be 1 or more.`: the flag as typed, its value, what it may be."""
    return InputError(f"{flag} {_number(value)}: must be {rule}.")


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def allowed_range(field: str) -> str:
    """The values SUTOptions takes for `field`, in words ("1 or more", "from 0 to 2"), read
    from its own bounds so the message cannot drift from the check."""
    low = high = ""
    low_in = high_in = True
    for bound in SUTOptions.model_fields[field].metadata:
        match bound:
            case annotated_types.Ge(ge=value) | annotated_types.Gt(gt=value):
                low, low_in = _number(value), isinstance(bound, annotated_types.Ge)
            case annotated_types.Le(le=value) | annotated_types.Lt(lt=value):
                high, high_in = _number(value), isinstance(bound, annotated_types.Le)
    if low and high and low_in and high_in:
        return f"from {low} to {high}"
    lower = (f"{low} or more" if low_in else f"more than {low}") if low else ""
    upper = (f"at most {high}" if high_in else f"less than {high}") if high else ""
    return " and ".join(p for p in (lower, upper) if p) or "a valid value"


def _describe(exc: ValidationError, given: dict[str, object]) -> str:
    parts = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        if field not in _FLAGS:  # a rule across fields: pydantic's words, still exit 2
            return describe_validation(exc)
        if field == "reasoning":
            rule = "none, minimal, low, medium, high or a number of tokens (e.g. 2048)"
        else:
            rule = allowed_range(field)
        parts.append(str(bad_flag(_FLAGS[field], given[field], rule)))
    return " ".join(parts)
