"""The facade's plumbing: a Store attribute that runs a module's function on a read or in a unit."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

import sqlite_utils

from .db import Unit
from .errors import MarginError, translate

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A")


class Owner(Protocol):
    """What a delegated method needs of the store it is called on."""

    path: str

    @property
    def db(self) -> sqlite_utils.Database: ...

    def unit(self) -> AbstractContextManager[Unit]: ...


def _bound(fn: Callable[..., Any], first: Callable[[], Any], owner: Owner) -> Callable[..., Any]:
    """fn with its first argument supplied by ``first()``; SQLite's errors made margin's."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(first(), *args, **kwargs)
            except sqlite3.Error as exc:
                raise translate(exc, owner.path) from exc

        return gen

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(first(), *args, **kwargs)
        except sqlite3.Error as exc:
            if isinstance(exc, MarginError):
                raise
            raise translate(exc, owner.path) from exc

    return call


class _Delegate(Generic[A, P, R]):
    """A store attribute that calls ``fn(first, ...)``; bound to a store, it is a method."""

    def __init__(self, fn: Callable[Concatenate[A, P], R]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _Delegate[A, P, R]: ...

    @overload
    def __get__(self, obj: Owner, owner: type[Any]) -> Callable[P, R]: ...

    def __get__(self, obj: Owner | None, owner: type[Any]) -> _Delegate[A, P, R] | Callable[P, R]:
        return self if obj is None else self.bind(obj)

    def bind(self, obj: Owner) -> Callable[P, R]:
        """The method for one store."""
        raise NotImplementedError


class reads(_Delegate[sqlite_utils.Database, P, R]):  # noqa: N801 (reads like a decorator)
    """A store method that reads: ``fn(db, ...)`` on the calling thread's connection."""

    def bind(self, obj: Owner) -> Callable[P, R]:
        """fn on obj's connection for this thread."""
        bound: Callable[P, R] = _bound(self.fn, lambda: obj.db, obj)
        return bound


class writes(_Delegate[Unit, P, R]):  # noqa: N801
    """A store method that writes: ``fn(tx, ...)`` in a unit of work of its own."""

    def bind(self, obj: Owner) -> Callable[P, R]:
        """fn in a new unit of work of obj."""
        fn = self.fn

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            with obj.unit() as tx:  # the unit translates SQLite's errors
                return fn(tx, *args, **kwargs)

        return call
