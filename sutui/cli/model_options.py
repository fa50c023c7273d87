"""The options every command that sends prompts takes (`run-sut`, `batch`), written once: the
SUTs (--sut) and the model options --max-tokens, --temperature, --top-p, --top-k, --stop,
--seed and --timeout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from drivers.options import SUTOptions
from sutui.cli.errors import InputError

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
        "--timeout",
        type=float,
        default=300.0,
        show_default=True,
        help="Seconds one answer may take in all.",
    ),
)


def model_options(command: F) -> F:
    """Adds the options; the command takes max_tokens, temperature, top_p, top_k, stop, seed
    and timeout."""
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
) -> SUTOptions:
    """The SUTOptions the flags ask for (a bad value is exit 2, with the flag's name)."""
    if timeout <= 0:
        raise InputError(f"--timeout must be more than 0 seconds, not {timeout:g}.")
    return SUTOptions(
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
        top_k_per_token=top_k,
        stop_sequences=list(stop) or None,
        seed=seed,
    )
