"""config/secrets.toml stays in step with the secrets the shipped drivers declare."""

from __future__ import annotations

import tomllib

from drivers.locations import shipped_config_dir
from drivers.secrets_template import shipped_descriptions, template


def test_template_file_matches_the_drivers() -> None:
    path = shipped_config_dir() / "secrets.toml"
    assert path.read_text(encoding="utf-8") == template(), (
        "config/secrets.toml is stale: run `python -m drivers.secrets_template > "
        "config/secrets.toml`"
    )


def test_template_holds_no_values_and_uncomments_to_upstream_format() -> None:
    text = template()
    assert tomllib.loads(text) == {}  # all commented: finding it upward sets nothing
    uncommented = "\n".join(
        line[2:]
        for line in text.splitlines()
        if line.startswith("# [")
        or (line.startswith("# ") and " = " in line and not line.startswith("# # "))
    )
    data = tomllib.loads(uncommented)
    for d in shipped_descriptions():
        assert data[d.scope][d.key] == ""
