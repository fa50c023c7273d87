"""config/secrets.toml: the template of every secret the shipped drivers and SUTs declare.

Regenerate after adding a driver: `python -m drivers.secrets_template > config/secrets.toml`
(a test fails when the file and the drivers disagree).
"""

from __future__ import annotations

from drivers.catalog import Catalog
from drivers.locations import shipped_config_dir
from drivers.readiness import declared_secrets
from drivers.registry import DYNAMIC_SUT_FACTORIES, DriverRegistry
from drivers.secrets import SecretDescription

HEADER = """\
# sutui secrets, in modelgauge's secrets.toml format. Every value is commented out: copy this
# file, uncomment what you use and fill in the values, then point sutui at it with
# `sutui --secrets PATH ...` (or keep it as config/secrets.toml in the directory you run from).
# Environment variables SUTUI_<SCOPE>__<KEY> (and the providers' usual ones) take precedence.
"""


def shipped_descriptions() -> list[SecretDescription]:
    """Every secret declared by a built-in driver or needed by a shipped predefined SUT."""
    registry = DriverRegistry(builtins=DYNAMIC_SUT_FACTORIES, group="sutui.none")
    catalog = Catalog.load(user=shipped_config_dir() / "no-user-file.toml")
    return [d.description for d in declared_secrets(catalog, registry)]


def template() -> str:
    blocks = []
    for scope in sorted({d.scope for d in shipped_descriptions()}):
        lines = [f"# [{scope}]"]
        for d in shipped_descriptions():
            if d.scope != scope:
                continue
            lines += [f"# # {line}" for line in d.instructions.splitlines()]
            lines.append(f'# {d.key} = ""')
        blocks.append("\n".join(lines))
    return HEADER + "\n" + "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    print(template(), end="")
