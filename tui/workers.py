"""The one worker shape of the reader: store calls in a thread, failures reported to the App."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from textual import work
from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class WorkFailed(Message):
    """A worker raised: the App turns it into a notification or an error screen."""

    error: Exception
    group: str


def store_work(
    *, group: str, exclusive: bool = False
) -> Callable[[Callable[P, R]], Callable[P, Worker[R]]]:
    """Run a method of a screen or the App in a thread worker that never ends the app.

    The method posts its results as messages. If it raises, the App receives ``WorkFailed``
    (one handler for every worker) and the worker ends in ``WorkerState.ERROR``, with
    ``exit_on_error=False`` so that Textual does not exit; ``exclusive`` cancels the
    workers of the same group that the same node started before.
    """

    def decorator(method: Callable[P, R]) -> Callable[P, Worker[R]]:
        @functools.wraps(method)
        def reporting(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                node = args[0]
                if isinstance(node, DOMNode):
                    node.app.post_message(WorkFailed(exc, group))
                raise

        return work(thread=True, exit_on_error=False, group=group, exclusive=exclusive)(reporting)

    return decorator
