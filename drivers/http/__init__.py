"""The HTTP layer every network driver shares, one package whose modules share internals openly:

- `transport.py` the run's HttpRuntime (timeouts, retry policy, the httpx transport or the
  shared client's backend, the cap per driver; a context variable, `use_runtime`), requests
  with phase timeouts and retries;
- `streams.py` SSE and NDJSON streams over it, each protocol's end marker;
- `client.py` the shared httpx clients, one per event loop and backend (aiohttp by default);
- `errors.py` providers' error bodies and rate-limit headers read into SUTErrors;
- `faults.py` a reply that breaks the protocol itself, said as the provider's fault;
- `sut.py` HttpSUT, the base of an HTTP driver's SUT: post_json / get_json / stream_sse /
  stream_ndjson with the runtime, its driver's cap and its headers; HttpFactory, a factory's
  get_json for its model list and key check.

The old module names (drivers.transport, drivers.streams, drivers.http_client,
drivers.http_errors, drivers.protocol_faults) are these very modules, for plugins and tests.
"""
