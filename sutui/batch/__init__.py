"""Batch runs: a prompt file against several SUTs, streamed to results.jsonl, resumable.

- `prompts`: reading the prompt file (CSV or JSONL) line by line, with bad lines reported;
- `keys`: the identity of one prompt x SUT task (resume) and of one answer (cache);
- `results`: the output directory, the append-only results writer, reading it back to resume;
- `cache`: the optional SQLite response cache;
- `limits`: the per-driver adaptive concurrency window (AIMD) and rate limit;
- `preflight`: each SUT translates a sample prompt first (a refused option or prompt kind is
  a usage error, not a failure in every record);
- `lock`: one batch at a time per output directory;
- `setup`: every check before the first request, in one order, for the CLI and the app alike;
- `scheduler`: the runner that ties them together; `progress`: its counters and displays.

Nothing here imports textual: the CLI and the TUI screen both call `setup.prepare_batch`, then
drive `BatchRunner`.
"""
