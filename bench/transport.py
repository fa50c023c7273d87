"""Client throughput and CPU per request against a loopback server with 300 ms latency.

Prints figures, asserts nothing. For each concurrency (32, 128) and each client:
  sutui   - the openai driver end to end (make_sut + respond: translate, transport, parse)
  sutui-stream - the same, streamed (invoke.stream: SSE, the end-marker check, redaction)
  post    - sutui's transport.post_json alone
  httpx   - a raw httpx.AsyncClient loop (default pool)
  aiohttp - a raw aiohttp.ClientSession loop
throughput as a fraction of the ideal concurrency/latency, and client CPU ms per request.
Also (b): fan-out wall time of 32 SUTs at 300 ms divided by one call's.
  sutui/httpx - the same over httpx's own connection pool (HttpRuntime(backend="httpx"))
Run: `.venv/bin/python bench/transport.py [--rounds 15] [--repeats 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

from drivers import TextPrompt, make_sut, respond
from drivers.http.client import Backend
from drivers.options import SUTOptions
from drivers.runner import FanOut, Finished, RunTarget

LATENCY = 0.3
Pair = tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]
PAYLOAD = {"model": "bench", "messages": [{"role": "user", "content": "hi"}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[str]:
    server = Path(__file__).with_name("latency_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(server), str(port), str(LATENCY)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


async def drive(call: Callable[[], Awaitable[object]], concurrency: int, total: int) -> None:
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def measure(
    name: str,
    make_call: Callable[
        [str], tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]
    ],
    base: str,
    concurrency: int,
    rounds: int,
) -> tuple[float, float]:
    total = concurrency * rounds

    async def run() -> tuple[float, float]:
        call, close = make_call(base)
        await drive(call, concurrency, concurrency)  # warm up: open the connections
        wall, cpu = time.perf_counter(), time.process_time()
        await drive(call, concurrency, total)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await close()
        return wall, cpu

    wall, cpu = asyncio.run(run())
    fraction = (total / wall) / (concurrency / LATENCY)
    return fraction, cpu / total * 1e3


def sutui_driver_over(backend: Backend) -> Callable[[str], Pair]:
    """sutui_driver, its calls made in a runtime whose shared client is over `backend`."""

    def make(base: str) -> Pair:
        from drivers.transport import HttpRuntime, use_runtime

        call, close = sutui_driver(base)
        runtime = HttpRuntime(backend=backend)

        async def in_runtime() -> object:
            with use_runtime(runtime):
                return await call()

        return in_runtime, close

    return make


def sutui_driver(
    base: str,
) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    sut = make_sut(f"bench:local:openai;url={base}/v1", {})
    prompt, options = TextPrompt(text="hi"), SUTOptions()

    async def close() -> None:
        from drivers.transport import aclose_client

        await aclose_client()

    return (lambda: respond(sut, prompt, options)), close


def sutui_stream(
    base: str,
) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    from drivers.invoke import ResponseBuilder, stream

    sut = make_sut(f"bench:local:openai;url={base}/v1", {})
    prompt, options = TextPrompt(text="hi"), SUTOptions()

    async def call() -> object:
        builder = ResponseBuilder()
        async for chunk in stream(sut, prompt, options):
            builder.add(chunk)
        return builder.build()

    async def close() -> None:
        from drivers.transport import aclose_client

        await aclose_client()

    return call, close


def sutui_post(base: str) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    from drivers.transport import aclose_client, post_json

    url = f"{base}/v1/chat/completions"
    return (lambda: post_json(url, PAYLOAD, {})), aclose_client


def httpx_over_aiohttp(
    base: str,
) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    client = httpx.AsyncClient(transport=AiohttpTransport(limits=limits))
    url = f"{base}/v1/chat/completions"

    async def call() -> object:
        response = await client.post(url, json=PAYLOAD)
        return response.json()

    return call, client.aclose


def raw_httpx(base: str) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    client = httpx.AsyncClient()
    url = f"{base}/v1/chat/completions"

    async def call() -> object:
        response = await client.post(url, json=PAYLOAD)
        return response.json()

    return call, client.aclose


def raw_aiohttp(base: str) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[None]]]:
    holder: dict[str, aiohttp.ClientSession] = {}
    url = f"{base}/v1/chat/completions"

    async def call() -> object:
        if "s" not in holder:
            # aiohttp's default pool stops at 100 connections: open it up like the others.
            holder["s"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        async with holder["s"].post(url, json=PAYLOAD) as response:
            return await response.json()

    async def close() -> None:
        if "s" in holder:
            await holder["s"].close()

    return call, close


CLIENTS = {
    "sutui": sutui_driver_over("aiohttp"),
    "sutui-stream": sutui_stream,
    "sutui/httpx": sutui_driver_over("httpx"),
    "post": sutui_post,
    "httpx": raw_httpx,
    "httpx+aio": httpx_over_aiohttp,
    "aiohttp": raw_aiohttp,
}


def fanout_ratio(base: str, repeats: int) -> dict[str, float]:
    """One loop, as in a running app. 'cold': a first call warmed the client, then one call
    alone and 32 SUTs at once (31 of them open new connections). 'warm': the pool already holds
    32 connections, as after the app's first compare."""
    uid = f"bench:local:openai;url={base}/v1"

    async def fan(n: int) -> float:
        targets = [RunTarget(str(i), make_sut(uid, {})) for i in range(n)]
        start = time.perf_counter()
        done = 0
        async for event in FanOut(targets, TextPrompt(text="hi")).events():
            done += isinstance(event, Finished)
        assert done == n, "a SUT failed: is the bench server up?"
        return time.perf_counter() - start

    async def run() -> tuple[float, float, float, float]:
        from drivers.transport import aclose_client

        await fan(1)
        cold_one, cold_many = await fan(1), await fan(32)
        warm_one, warm_many = await fan(1), await fan(32)
        await aclose_client()
        return cold_one, cold_many, warm_one, warm_many

    runs = [asyncio.run(run()) for _ in range(repeats)]
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    return {"cold_one": med[0], "cold_32": med[1], "warm_one": med[2], "warm_32": med[3]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15, help="requests per worker")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--fanout-only", action="store_true", help="only figure (b)")
    args = parser.parse_args()
    from drivers import transport

    # The driver's own concurrency cap (64 by default) would hold the 128-wide runs back.
    transport.set_concurrency_limit("openai", 1024)
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(
            f"server latency {LATENCY * 1e3:.0f} ms; {args.rounds} requests per worker; "
            f"median of {args.repeats}"
        )
        print(f"{'client':12} {'conc':>5} {'of ideal':>9} {'CPU ms/req':>11}")
        for concurrency in () if args.fanout_only else (32, 128):
            for name in args.clients.split(","):
                runs = [
                    measure(name, CLIENTS[name], base, concurrency, args.rounds)
                    for _ in range(args.repeats)
                ]
                fraction = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                print(f"{name:12} {concurrency:5d} {fraction:9.3f} {cpu:11.2f}")
        f = fanout_ratio(base, args.repeats)
        for state in ("cold", "warm"):
            one, many = f[f"{state}_one"], f[f"{state}_32"]
            print(
                f"(b) fan-out, {state} pool: one call {one * 1e3:.0f} ms, 32 SUTs "
                f"{many * 1e3:.0f} ms, ratio {many / one:.3f} (goal <= 1.1)"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
