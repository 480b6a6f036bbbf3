"""Ctrl-C while the extraction workers are being started is not lost (it was ignored then,
and a busy machine could stretch that moment past the user's key press)."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from store import extract as extract_mod
from store.extract import SpacyExtractor
from tests.helpers import tiny_model_path


def test_ctrl_c_while_the_pool_starts_interrupts(monkeypatch, tmp_path_factory) -> None:
    real = multiprocessing.get_context("fork")

    class Ctx:
        def Pool(self, *args, **kwargs):  # noqa: N802 - the multiprocessing name
            os.kill(os.getpid(), signal.SIGINT)  # the key press lands as the pool starts
            return real.Pool(*args, **kwargs)

    monkeypatch.setattr(extract_mod.multiprocessing, "get_context", lambda *a: Ctx())
    extractor = SpacyExtractor(tiny_model_path(tmp_path_factory))
    # as in a terminal (an earlier test in this worker may have left SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            list(extractor.extract(["Troops left Aleppo."] * 40, workers=2))
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_ignored_ctrl_c_stays_ignored(monkeypatch, tmp_path_factory) -> None:
    """Started with SIGINT ignored (a background job), margin does not start obeying it."""
    real = multiprocessing.get_context("fork")

    class Ctx:
        def Pool(self, *args, **kwargs):  # noqa: N802 - the multiprocessing name
            os.kill(os.getpid(), signal.SIGINT)
            return real.Pool(*args, **kwargs)

    monkeypatch.setattr(extract_mod.multiprocessing, "get_context", lambda *a: Ctx())
    extractor = SpacyExtractor(tiny_model_path(tmp_path_factory))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert len(list(extractor.extract(["Troops left Aleppo."] * 4, workers=2))) == 4
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
