"""The app's settings: one small TOML file in the XDG config dir (SUTUI_CONFIG_DIR overrides).

Holds no secrets, only preferences: the theme, whether timings are shown, the SUTs the compare
screen opens with, and the recently used SUT UIDs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from drivers.locations import user_config_dir
from drivers.toml_file import TomlFileError, read_toml

DEFAULT_SUTS = ("demo_yes_no", "demo_echo", "demo_always_sorry")
RECENT_LIMIT = 12


def settings_path() -> Path:
    return user_config_dir() / "app.toml"


@dataclass
class Settings:
    theme: str = "textual-dark"
    show_timings: bool = True
    """Off in tests and snapshots: timing figures differ from run to run."""
    show_reasoning: bool = True
    """Reasoning in full above each answer, or one line (the `t` key in a column)."""
    start_suts: list[str] = field(default_factory=lambda: list(DEFAULT_SUTS))
    recent: list[str] = field(default_factory=list)
    path: Path | None = field(default=None, compare=False, repr=False)
    """Where to save; None keeps the settings in memory only (tests)."""
    problem: str | None = field(default=None, compare=False, repr=False)
    """Why the file could not be read, shown once as a notification."""

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        settings = cls(path=path)
        try:
            data = read_toml(path)  # imports the TOML parser only when there is a file
        except FileNotFoundError:
            return settings  # a first start: no TOML parser to load (bench/app_start.py)
        except TomlFileError as exc:
            settings.problem = f"{path} could not be read (it {exc}); using the defaults."
            return settings
        if isinstance(data.get("theme"), str):
            settings.theme = data["theme"]
        for key in ("show_timings", "show_reasoning"):
            if isinstance(data.get(key), bool):
                setattr(settings, key, data[key])
        for key in ("start_suts", "recent"):
            value = data.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                setattr(settings, key, list(value))
        return settings

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("path")
        data.pop("problem")
        return data

    def save(self) -> str | None:
        """Write the file; returns a problem to show, or None."""
        if self.path is None:
            return None
        import tomli_w  # only when saving: not before the app's first frame

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(tomli_w.dumps(self.to_dict()), encoding="utf-8")
        except OSError as exc:
            return f"settings not saved to {self.path}: {exc.strerror or exc}"
        return None

    def remember(self, uid: str) -> None:
        self.recent = [uid, *(u for u in self.recent if u != uid)][:RECENT_LIMIT]
