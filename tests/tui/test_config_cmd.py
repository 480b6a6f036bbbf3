"""`margin config path` and `margin config keys`, and the [keys] table's errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from store.errors import ConfigError
from tui.cli import cli
from tui.keymap import IDS, keymap_from_config


def test_config_path_prints_the_env_path(tmp_path):
    result = CliRunner().invoke(cli, ["config", "path"])
    assert result.exit_code == 0
    assert result.output.strip() == str(tmp_path / "config.toml")


def test_config_keys_applies_the_remapping(tmp_path):
    (tmp_path / "config.toml").write_text('[keys]\n"reader.next_article" = "ctrl+n"\n')
    result = CliRunner().invoke(cli, ["config", "keys"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("reader.next_article "))
    assert "ctrl+n" in line


def test_keymap_rejects_unknown_ids_and_bad_keys(tmp_path):
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="'nope' is not a binding id"):
        keymap_from_config({"keys": {"nope": "x"}}, path)
    with pytest.raises(ConfigError, match="must be a key"):
        keymap_from_config({"keys": {"reader.accept": 3}}, path)
    assert keymap_from_config({"keys": {"reader.accept": ["y", "Y"]}}) == {"reader.accept": "y,Y"}


def test_every_binding_has_a_unique_id_per_scope():
    from tui import keymap

    for scope in (keymap.APP, keymap.LIBRARY, keymap.READER, keymap.TEXT, keymap.ARTICLE_LIST):
        ids = [b.id for b in scope]
        assert all(ids) and len(ids) == len(set(ids))
    assert "reader.propagate" in IDS


def _load_keys(tmp_path, toml_text: str) -> dict[str, str]:
    from store.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(toml_text, "utf-8")
    return keymap_from_config(load_config(path), path)


def test_config_keys_suggests_a_line_the_config_accepts(tmp_path):
    """The example line, uncommented under [keys], loads: the dotted id is quoted."""
    result = CliRunner().invoke(cli, ["config", "keys"])
    assert result.exit_code == 0
    example = next(x for x in result.output.splitlines() if "reader.next_article" in x and "=" in x)
    line = example.lstrip("#").strip()
    assert _load_keys(tmp_path, f"[keys]\n{line}\n") == {"reader.next_article": "ctrl+n"}


def test_config_keys_toml_is_a_table_the_config_accepts(tmp_path):
    (tmp_path / "config.toml").write_text('[keys]\n"reader.accept" = "y"\n')
    result = CliRunner().invoke(cli, ["config", "keys", "--toml"])
    assert result.exit_code == 0, result.output
    other = tmp_path / "again"
    other.mkdir()
    keys = _load_keys(other, result.output)
    assert set(keys) == IDS
    assert keys["reader.accept"] == "y"  # the remapping, not the default
    assert keys["app.help"] == "question_mark"
    assert keys["app.search"] == "slash"  # Textual's name for / loads too


@pytest.mark.parametrize("keys", ["ctrl+nope", "not a key", "banana", "ctrl+", "+", "ctrl+ctrl"])
def test_keymap_rejects_a_remap_to_something_that_is_not_a_key(tmp_path, keys):
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as exc:
        keymap_from_config({"keys": {"reader.accept": keys}}, path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: [keys] reader.accept") and "not a key" in msg, msg


@pytest.mark.parametrize(
    "keys", ["y", "ctrl+n", "f5", "question_mark", "?", "enter", "shift+tab", "space", "Y"]
)
def test_keymap_accepts_real_keys(keys):
    from tui.keymap import is_key

    assert is_key(keys)


@pytest.mark.parametrize(
    ("bid", "keys", "taken"),
    [
        ("reader.accept", "x", "reader.reject"),  # the same screen
        ("reader.accept", "u", "app.undo"),  # a global key
        ("reader.accept", "v", "text.select"),  # the text view inside the reader
        ("app.search", "a", "reader.accept"),  # a global key onto a screen's
        ("reader.accept", "?", "app.help"),  # "?" is question_mark
    ],
)
def test_keymap_rejects_a_remap_onto_another_bindings_key(tmp_path, bid, keys, taken):
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as exc:
        keymap_from_config({"keys": {bid: keys}}, path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: [keys] {bid}") and taken in msg, msg


def test_keymap_allows_a_swap_and_keys_of_other_screens():
    swap = {"reader.accept": "x", "reader.reject": "a"}
    assert keymap_from_config({"keys": swap}) == swap
    # the library's n and the reader's n never compete
    assert keymap_from_config({"keys": {"library.next_unread": "m"}})
    assert keymap_from_config({"keys": {"reader.quit": "q"}})  # shared with reader.back by design
