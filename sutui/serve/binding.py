"""Where `sutui serve` listens: whether an address is loopback, the listening socket (bound
here, before the server starts, so a port in use is a clear message rather than a traceback
from inside aiohttp), and the URL to print."""

from __future__ import annotations

import errno
import ipaddress
import socket

from sutui.errors import InputError


def _addresses(host: str) -> list[str]:
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(
            f"--host {host!r}: not an address or a name this machine can resolve ({exc})."
        ) from None
    return [str(info[4][0]) for info in found]


def is_loopback(host: str) -> bool:
    """True when every address `host` names is on this machine's loopback (127.0.0.0/8, ::1):
    only its own users can reach a server bound there."""
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in _addresses(host))


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: one the system picks)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InputError(_bind_problem(host, port, exc)) from None
    sock.setblocking(False)
    return sock


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use: pick another with --port (0 lets the system choose)."
        )
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}: pick one above 1023 with --port."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"--host {host}: not an address of this machine."
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}."


def url_of(sock: socket.socket) -> str:
    """The address to open in a browser; a wildcard address (0.0.0.0, ::) is reached as
    loopback from this machine."""
    host, port = sock.getsockname()[:2]
    ip = ipaddress.ip_address(host)
    if ip.is_unspecified:
        ip = ipaddress.ip_address("::1" if ip.version == 6 else "127.0.0.1")
    shown = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"http://{shown}:{port}/"
