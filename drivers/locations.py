"""Where sutui's files live: shipped data, the user's config dir (XDG via platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "sutui"


def shipped_config_dir() -> Path:
    """config/ of a source checkout, or the copy a wheel carries inside this package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_shipped_config", here.parent / "config"):
        if (candidate / "suts.toml").is_file():
            return candidate
    raise FileNotFoundError(
        f"sutui's shipped config (suts.toml) is missing from {here}: reinstall sutui."
    )


def user_config_dir() -> Path:
    override = os.environ.get("SUTUI_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def user_data_dir() -> Path:
    override = os.environ.get("SUTUI_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    """What sutui can fetch or compute again (model lists, the batch answer cache)."""
    override = os.environ.get("SUTUI_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def user_suts_file() -> Path:
    return user_config_dir() / "suts.toml"
