"""The `sutui` command group; every subcommand shares the secrets option (before or after the
subcommand's name: `sutui --secrets F run-sut …` and `sutui run-sut --secrets F …`) and error
handling."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

import click

from sutui import __version__
from sutui.cli.context import CliContext
from sutui.cli.errors import flush_quietly, quiet_broken_stdout, report

COMMANDS: dict[str, tuple[str, str]] = {
    "list-drivers": ("sutui.cli.lists", "list_drivers"),
    "list-suts": ("sutui.cli.lists", "list_suts"),
    "list-secrets": ("sutui.cli.lists", "list_secrets"),
    "run-sut": ("sutui.cli.run_sut", "run_sut"),
    "batch": ("sutui.cli.batch_cmd", "batch"),
    "history": ("sutui.cli.history_cmd", "history"),
    "uid": ("sutui.cli.uid_command", "uid"),
    "secrets": ("sutui.cli.secrets_cmd", "secrets"),
    "votes": ("sutui.cli.votes_cmd", "votes"),
    "leaderboard": ("sutui.cli.votes_cmd", "leaderboard"),
    "models": ("sutui.cli.models_cmd", "models"),
    "report": ("sutui.cli.report_cmd", "report"),
    "serve": ("sutui.cli.serve_cmd", "serve"),
}
"""Each subcommand's module is imported only when it is used: `sutui` alone starts the app
without loading every driver and the HTTP stack first."""


SECRETS_HELP = (
    "A secrets.toml in modelgauge's format (default: config/secrets.toml found from the "
    "current directory upward)."
)


def _secrets_after(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    """`--secrets` given after the subcommand's name: the same as before it."""
    obj = ctx.find_object(CliContext)
    if value is not None and obj is not None:
        obj.secrets_file = value
        obj.__dict__.pop("store", None)  # a store made before (never, while parsing) is stale


def with_secrets_option(command: click.Command) -> click.Command:
    """The command (and each of a group's subcommands) also takes --secrets PATH."""
    if not any(p.name == "secrets_file" for p in command.params):
        command.params.append(
            click.Option(
                ["--secrets", "secrets_file"],
                type=click.Path(path_type=Path, dir_okay=False),
                expose_value=False,
                callback=_secrets_after,
                help=SECRETS_HELP,
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_secrets_option(sub)
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return with_secrets_option(command)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--secrets",
    "secrets_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="SUTUI_SECRETS_FILE",
    help=SECRETS_HELP,
)
@click.version_option(__version__, prog_name="sutui")
@click.pass_context
def cli(ctx: click.Context, secrets_file: Path | None) -> None:
    """Compare systems under test (SUTs) side by side.

    With no command, opens the terminal app on the offline demo SUTs.
    """
    ctx.obj = CliContext(secrets_file=secrets_file)
    if ctx.invoked_subcommand is None:
        from sutui.app import run_app

        ctx.exit(run_app(ctx.obj.secrets_file))


def run(argv: Sequence[str]) -> int:
    try:
        result = cli.main(args=list(argv), prog_name="sutui", standalone_mode=False)
    except SystemExit as exc:  # click exits this way on a closed pipe (`sutui ... | head`)
        quiet_broken_stdout()
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # the one place any failure becomes a message
        flush_quietly()
        return report(exc)
    flush_quietly()
    return result if isinstance(result, int) else 0
