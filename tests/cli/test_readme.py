"""The README tells the truth about the interface: its key table is the keymap (every binding id
with its keys, and no key the keymap lacks), and its command list names every command of the
`margin` command line (subcommands of groups too) and no command it lacks."""

from __future__ import annotations

import re

import click
import pytest

from tests.helpers import ROOT
from tui.cli import cli
from tui.keymap import ALL, pretty_keys

README = (ROOT / "README.md").read_text(encoding="utf-8")

# `1`..`9`: every key from the first to the last digit
KEY_RANGE = re.compile(r"`(\d)`\.\.`(\d)`")
# `reader.label_1` … `reader.label_9`: every id from the first to the last number
ID_RANGE = re.compile(r"`([\w.]+?)_(\d+)` … `\1_(\d+)`")
TICKED = re.compile(r"`([^`]+)`")


def section(title: str) -> str:
    """The text of the README's `## title` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def key_rows() -> list[tuple[set[str], set[str], str]]:
    """(keys, ids, the line) of each row of the table under '## Keys'."""
    lines = section("Keys").splitlines()
    start = lines.index("| key | where | action | id |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 4, line
        key_cell, id_cell = cells[0], cells[3]
        keys: set[str] = set()
        for lo, hi in KEY_RANGE.findall(key_cell):
            keys |= {str(d) for d in range(int(lo), int(hi) + 1)}
        keys |= set(TICKED.findall(KEY_RANGE.sub("", key_cell)))
        ids: set[str] = set()
        for stem, lo, hi in ID_RANGE.findall(id_cell):
            ids |= {f"{stem}_{n}" for n in range(int(lo), int(hi) + 1)}
        ids |= set(TICKED.findall(ID_RANGE.sub("", id_cell)))
        rows.append((keys, ids, line))
    assert rows, "the key table has no rows"
    return rows


BINDINGS = {b.id: b for b in ALL if b.id}


def shown_keys(binding_id: str) -> set[str]:
    """A binding's keys as the README writes them: `?` and `]` rather than their key names."""
    return set(pretty_keys(BINDINGS[binding_id].key).split())


def test_every_binding_of_the_keymap_is_in_the_key_table() -> None:
    listed = set().union(*(ids for _keys, ids, _line in key_rows()))
    assert sorted(set(BINDINGS) - listed) == [], "binding ids the key table leaves out"


def test_each_row_gives_exactly_the_keys_of_its_bindings() -> None:
    for keys, ids, line in key_rows():
        unknown = ids - set(BINDINGS)
        assert not unknown, f"{sorted(unknown)} is not a binding id of tui.keymap: {line}"
        expected = set().union(*(shown_keys(i) for i in ids))
        assert keys == expected, (
            f"keys the keymap lacks: {sorted(keys - expected)},"
            f" keys the row leaves out: {sorted(expected - keys)}: {line}"
        )


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """The path of every visible command under group (a group's subcommands, not the group)."""
    out: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            out |= commands(command, (*prefix, name))
        else:
            out.add((*prefix, name))
    return out


def listed_commands() -> set[tuple[str, ...]]:
    """The command of each `margin ...` line of the first code block under '## Command line'."""
    block = re.search(r"```\n(.*?)```", section("Command line"), re.S)
    assert block, "no code block under '## Command line'"
    out: set[tuple[str, ...]] = set()
    for line in block.group(1).splitlines():
        if not line.startswith("margin "):
            continue
        path: list[str] = []
        group: click.Command = cli
        for word in line.split()[1:]:
            if not isinstance(group, click.Group) or not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            if word not in group.commands:
                pytest.fail(f"the README lists a command margin does not have: {line}")
            group = group.commands[word]
            path.append(word)
        if path:
            out.add(tuple(path))
    return out


def test_the_command_list_is_the_command_line() -> None:
    missing = commands(cli) - listed_commands()  # a command margin lacks fails while reading
    assert sorted(" ".join(p) for p in missing) == [], "commands the README's list leaves out"
