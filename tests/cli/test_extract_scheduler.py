"""Where `margin extract` runs: --scheduler, $MARGIN_SCHEDULER, [extract] scheduler, --workers;
an unreachable scheduler is one line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from store import ArticleDraft, executors, open_store
from tests.helpers import run_cli, scalar


def two_articles(db: Path) -> None:
    with open_store(db) as store:
        store.add_articles([ArticleDraft("Troops left Aleppo."), ArticleDraft("Homs waited.")])


def test_an_unreachable_scheduler_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "m.db"
    two_articles(db)
    address = f"tcp://127.0.0.1:{port}"
    code, _out, err = run_cli(
        "--db", str(db), "extract", "--model", tiny_model, "--scheduler", address
    )
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("margin: cannot reach the Dask scheduler at")
    assert address in err
    assert scalar(db, "SELECT COUNT(*) FROM spans") == 0


def test_the_scheduler_comes_from_the_environment_or_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 0.5)
    db = tmp_path / "m.db"
    two_articles(db)
    config = tmp_path / "config.toml"
    config.write_text('[extract]\nscheduler = "tcp://127.0.0.1:9"\n', "utf-8")
    monkeypatch.setenv("MARGIN_CONFIG", str(config))
    args = ("--db", str(db), "extract", "--model", tiny_model)
    code, _out, err = run_cli(*args)
    assert code == 1 and "tcp://127.0.0.1:9" in err
    monkeypatch.setenv("MARGIN_SCHEDULER", "tcp://127.0.0.1:7")
    code, _out, err = run_cli(*args)
    assert code == 1 and "tcp://127.0.0.1:7" in err
    code, _out, err = run_cli(*args, "--workers", "2")  # local processes asked for: no cluster
    assert code == 0, err
    assert scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'") == 2
    code, _out, err = run_cli(*args, "--workers", "2", "--scheduler", "tcp://127.0.0.1:7")
    assert code == 2 and "not both" in err


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("bogus", "missing port number"),
        ("tcp://10.0.0.5", "missing port number"),
        ("tcp://10.0.0.5:abc", "its port 'abc' is not a number"),
        ("10.0.0.5:99999", "its port 99999 is out of range"),
    ],
)
def test_a_malformed_address_is_one_sentence_naming_where_it_came_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str, address: str, why: str
) -> None:
    # (a Client made with such an address fails half built, and when collected waits 20 s and
    # prints a traceback of its own: the address is checked before any Client is made)
    db = tmp_path / "m.db"
    two_articles(db)
    args = ("--db", str(db), "extract", "--model", tiny_model)
    code, _out, err = run_cli(*args, "--scheduler", address)
    assert code == 2
    assert f"--scheduler: {address!r} is not a Dask scheduler address ({why}" in err
    assert "Traceback" not in err
    monkeypatch.setenv("MARGIN_SCHEDULER", address)
    code, _out, err = run_cli(*args)
    assert code == 2 and f"$MARGIN_SCHEDULER: {address!r} is not" in err
    monkeypatch.delenv("MARGIN_SCHEDULER")
    config = tmp_path / "config.toml"
    config.write_text(f'[extract]\nscheduler = "{address}"\n', "utf-8")
    monkeypatch.setenv("MARGIN_CONFIG", str(config))
    code, _out, err = run_cli(*args)
    assert code == 2 and f"[extract] scheduler in {config}: {address!r} is not" in err
    assert scalar(db, "SELECT COUNT(*) FROM spans") == 0


def test_the_runner_refuses_a_malformed_address_before_making_a_client() -> None:
    assert executors.address_problem("tcp://10.0.0.5:8786") is None
    assert executors.address_problem("inproc://192.168.1.2/1234/1") is None
    assert executors.address_problem("tcp://10.0.0.5") is not None
