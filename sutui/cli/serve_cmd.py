"""`sutui serve`: the app in a browser, on loopback unless --public says otherwise."""

from __future__ import annotations

import click

from sutui.cli.context import pass_context
from sutui.errors import InputError

DEFAULT_PORT = 8000

PUBLIC_WARNING = (
    "sutui: warning: serving on {host}, which other machines may reach. Whoever reaches this "
    "page uses sutui as you: your API keys and secrets, at your cost, and your history. "
    "There is no login; stop it with ctrl+c when done."
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: one the system picks).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Allow a --host that is not loopback: anyone who reaches the page uses your keys.",
)
def serve(host: str, port: int, public: bool) -> None:
    """Serve the app to a browser: each browser tab runs its own sutui, with your settings
    and secrets. Listens on loopback (this machine only) unless --public."""
    from sutui.serve.binding import is_loopback, listen, url_of

    loopback = is_loopback(host)
    if not loopback and not public:
        raise InputError(
            f"--host {host} is not a loopback address: anyone who reaches it could use your "
            "API keys. Add --public to serve there anyway, or leave --host out (127.0.0.1)."
        )
    sock = listen(host, port)
    if not loopback:
        click.echo(PUBLIC_WARNING.format(host=host), err=True)
    click.echo(f"sutui: serving the app at {url_of(sock)} (ctrl+c stops)")
    from sutui.serve.server import serve as run_server

    run_server(sock, loopback=loopback, secrets_file=pass_context().secrets_file)
