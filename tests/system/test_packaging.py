"""Installing margin prints no page of setuptools warnings before the app appears."""

from __future__ import annotations

import tomllib

from tests.helpers import ROOT


def test_the_license_is_an_spdx_string_that_setuptools_reads_without_warning() -> None:
    """A ``license = {text = ...}`` table made setuptools print 52 lines of deprecation
    warnings on every ``make run``; an SPDX string needs setuptools 77 or newer."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert "setuptools>=77" in project["build-system"]["requires"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT")
