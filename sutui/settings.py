"""The app's settings: one small TOML file in the XDG config dir (SUTUI_CONFIG_DIR overrides).

Holds no secrets, only preferences: the theme, whether timings are shown, the columns the compare
screen opens with (those of the last exit, with their options: the `[start]` table, a column set
of sutui/column_sets.py; files of earlier releases have `start_suts`, a list of UIDs), the
recently used SUT UIDs and the folder the history last exported to. Written whole and
atomically; a UID that holds a credential is scrubbed (in the columns) or not remembered (in
the recent ones).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from drivers.locations import user_config_dir
from drivers.toml_file import TomlFileError, read_toml
from sutui.column_sets import ColumnSet, scrub

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
    start: ColumnSet = field(default_factory=lambda: ColumnSet.of_uids(DEFAULT_SUTS))
    """The columns the compare screen opens with: those of the last exit (SutuiApp.exit)."""
    recent: list[str] = field(default_factory=list)
    export_dir: str = ""
    """The folder the history last exported to ("": none yet; see screens/history_export.py)."""
    path: Path | None = field(default=None, compare=False, repr=False)
    """Where to save; None keeps the settings in memory only (tests)."""
    problem: str | None = field(default=None, compare=False, repr=False)
    """Why the file could not be read, shown once as a notification."""

    @property
    def start_suts(self) -> list[str]:
        """The UIDs of the columns the compare screen opens with, in order."""
        return self.start.uids

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
        for key in ("theme", "export_dir"):
            if isinstance(data.get(key), str):
                setattr(settings, key, data[key])
        for key in ("show_timings", "show_reasoning"):
            if isinstance(data.get(key), bool):
                setattr(settings, key, data[key])
        recent, uids = data.get("recent"), data.get("start_suts")
        if isinstance(recent, list) and all(isinstance(v, str) for v in recent):
            settings.recent = list(recent)
        if "start" in data:
            start, problems = ColumnSet.from_table(data["start"], f"{path} [start]")
            if start is not None:
                settings.start = start
            if problems:
                using = "using the rest" if start is not None else "using the default columns"
                settings.problem = f"{'; '.join(problems)} ({using})."
        elif isinstance(uids, list) and all(isinstance(v, str) for v in uids):
            settings.start = ColumnSet.of_uids(uids)  # a file of an earlier release
        return settings

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("path", "problem", "start"):
            data.pop(key)
        data["recent"] = [uid for uid in self.recent if scrub(uid) == uid]
        data["start"] = self.start.scrubbed()[0].to_table()
        return data

    def save(self) -> str | None:
        """Write the file; returns a problem to show, or None."""
        if self.path is None:
            return None
        import tomli_w  # only when saving: not before the app's first frame

        from sutui.storage import write_text_safely

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_safely(self.path, tomli_w.dumps(self.to_dict()))
        except OSError as exc:
            return f"settings not saved to {self.path}: {exc.strerror or exc}"
        return None

    def remember(self, uid: str) -> None:
        self.recent = [uid, *(u for u in self.recent if u != uid)][:RECENT_LIMIT]
