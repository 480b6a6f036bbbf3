"""The config file: every problem is one line naming the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.config import ConfigError, load_config, model_name


def write(tmp_path: Path, data: bytes | str) -> Path:
    p = tmp_path / "config.toml"
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def test_a_deeply_nested_file_is_one_line(tmp_path: Path) -> None:
    p = write(tmp_path, "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert str(p) in str(exc.value) and "nested" in str(exc.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ('[extract]\nmodel = "m"\n'.encode("utf-16"), "UTF-16"),
        ('[extract]\nmodel = "m"\n'.encode("utf-16-le"), "UTF-16"),
        (b'\xef\xbb\xbf[extract]\nmodel = "m"\n', "byte-order mark"),
        (b'[extract]\nmodel = "caf\xe9"\n', "not UTF-8"),
    ],
)
def test_an_encoding_problem_names_the_file(tmp_path: Path, data: bytes, said: str) -> None:
    p = write(tmp_path, data)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert str(exc.value).startswith(f"{p}: "), exc.value
    assert said in str(exc.value)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[annotate]\nallow_overlaps = "no"\n', "[annotate] allow_overlaps", "true or false"),
        ("[annotate]\nallow_overlaps = 1\n", "[annotate] allow_overlaps", "true or false"),
        ("[extract]\nmodel = 5\n", "[extract] model", "the name of a spaCy model"),
        ('[extract]\nmodel = ""\n', "[extract] model", "the name of a spaCy model"),
        ('extract = "x"\n', "[extract]", "a table"),
        ("annotate = 3\n", "[annotate]", "a table"),
    ],
)
def test_a_wrong_type_is_refused(tmp_path: Path, text: str, key: str, expected: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: {key} ") and expected in msg, msg
    assert "\n" not in msg


def test_good_values_are_kept(tmp_path: Path) -> None:
    p = write(tmp_path, '[annotate]\nallow_overlaps = true\n[extract]\nmodel = "blank:en"\n')
    config = load_config(p)
    assert config["annotate"]["allow_overlaps"] is True
    assert model_name(config) == "blank:en"
