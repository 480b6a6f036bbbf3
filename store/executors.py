"""Where extraction's chunks run: in this process, in local worker processes, or on Dask."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from .errors import ExtractionError
from .models import SpanDraft

Found = list[list[SpanDraft]]  # a chunk's suggestions: one list per text, in order
Probe = Callable[[str], str]  # on a worker: model name -> the source it has ("error: ..." if none)
Task = Callable[[str, str, list[str]], Found]  # on a worker: (model, source, texts) -> suggestions
M = TypeVar("M")
CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler before saying it is unreachable
PROBE_TIMEOUT = 300.0  # seconds for every worker to load the model and say which it has
# glibc's mallopt parameters (malloc.h) and the ceilings its own sliding thresholds stop at
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
ROOMY_MMAP, ROOMY_TRIM = 32 * 2**20, 64 * 2**20


class WrongModel(Exception):
    """A worker whose model is not the one this run extracts with (another version, say)."""

    def __init__(self, worker: str, found: str) -> None:
        super().__init__(worker, found)
        self.worker = worker
        self.found = found


class Runner(Protocol):
    """Runs chunks of texts through the model and hands back futures of their suggestions."""

    window: int  # how many chunks to keep in flight (enough to keep every worker busy)

    def submit(self, texts: Sequence[str]) -> Future[Found]:
        """Start one chunk."""
        ...

    def lost(self, exc: BaseException) -> bool:
        """Whether a chunk's failure means its worker went away (submit it again)."""
        ...

    def close(self, cancel: bool) -> None:
        """Stop: cancel what is in flight when cancel, else let it finish."""
        ...


# -- on a worker: the model loaded once per process --------------------------------------

_loaded: dict[str, Any] = {}  # model name -> this process's loaded model
_loading = threading.Lock()  # a Dask worker may run several chunks at once in threads
_running = threading.Lock()


def cached(model: str, load: Callable[[str], M]) -> M:
    """This process's copy of the model, loaded on first use and kept for the next chunks."""
    with _loading:
        if model not in _loaded:
            if os.environ.get("MALLOC_TRIM_THRESHOLD_") and on_dask_worker():
                roomy_malloc()
            _loaded[model] = load(model)
        found: M = _loaded[model]
        return found


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """One chunk at a time through this process's pipeline (threads of one Dask worker)."""
    with _running:
        yield


def on_dask_worker() -> bool:
    """Whether this process is a Dask worker."""
    if "distributed" not in sys.modules:
        return False
    try:
        sys.modules["distributed"].get_worker()
    except ValueError:
        return False
    return True


def roomy_malloc() -> bool:
    """Let glibc keep freed memory for reuse again, as it does by default; True if it took.

    A Dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_=65536``, which also pins
    glibc's mmap threshold at 128 KiB: every array spaCy allocates above that is mapped and
    unmapped anew, and its pages faulted in again (20 times the page faults, a fifth more CPU
    per chunk). Raised to the ceilings glibc's own sliding thresholds reach, the freed arrays
    are reused; a worker keeps at most ROOMY_TRIM of freed heap before giving it back.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, ROOMY_MMAP)) and bool(
        mallopt(M_TRIM_THRESHOLD, ROOMY_TRIM)
    )


def _first_sentence(exc: BaseException) -> str:
    """What went wrong in one short line: the error's first sentence (Dask's run long)."""
    text = str(exc).strip().split("\n")[0].split(". ")[0].rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def worker_name() -> str:
    """This worker as a person would find it: its Dask address, else its process id."""
    if on_dask_worker():
        address: str = sys.modules["distributed"].get_worker().address
        return address
    return f"process {os.getpid()}"


# -- in this process ---------------------------------------------------------------------


class InlineRunner:
    """Each chunk runs at once, in this process, with the extractor given (no pickling)."""

    window = 1

    def __init__(self, suggest: Callable[[Sequence[str]], Found]) -> None:
        self.suggest = suggest

    def submit(self, texts: Sequence[str]) -> Future[Found]:
        done: Future[Found] = Future()
        done.set_result(self.suggest(texts))
        return done

    def lost(self, exc: BaseException) -> bool:
        return False

    def close(self, cancel: bool) -> None:
        """Nothing runs in the background."""


# -- local worker processes --------------------------------------------------------------


def _init_local(probe: Probe, model: str) -> None:
    """A local worker: Ctrl-C is the parent's business; the model is loaded (fork: inherited)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    probe(model)


class _HeldCtrlC:
    """Ctrl-C held back while the workers start, handed to the handler once they stand.

    The main thread blocks SIGINT, but a process-directed signal is taken by any thread that
    does not (a progress bar's, a library's), and Python then runs its handler in the main
    thread wherever it happens to be: inside an at-fork hook or a garbage collector's callback,
    where the KeyboardInterrupt is only printed and the key press is lost. So on the main
    thread a handler that only notes the press stands in for the user's meanwhile.
    """

    def __init__(self) -> None:
        self.pressed = False
        self.previous: Any = None
        self.swapped = False

    def _note(self, _signum: int, _frame: Any) -> None:
        self.pressed = True

    def __enter__(self) -> _HeldCtrlC:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGINT)
            if callable(self.previous):  # SIG_IGN (a background job) stays ignored
                signal.signal(signal.SIGINT, self._note)
                self.swapped = True
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        return self

    def __exit__(self, *exc: object) -> None:
        if hasattr(signal, "pthread_sigmask"):
            if hasattr(signal, "sigtimedwait") and signal.sigtimedwait({signal.SIGINT}, 0):
                self.pressed = True
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        handler = signal.getsignal(signal.SIGINT)
        if self.swapped:
            signal.signal(signal.SIGINT, self.previous)
            handler = self.previous
        if self.pressed:
            if callable(handler):
                handler(signal.SIGINT, None)  # Python's own raises KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)
            # SIG_IGN (a background job): the key press is dropped, as it would have been


class LocalRunner:
    """A ProcessPoolExecutor of N workers; a pool broken by a dying worker is started anew."""

    def __init__(self, loaded: Any, source: str, probe: Probe, task: Task, workers: int) -> None:
        self.model = loaded.model
        self.source = source
        self.loaded = loaded  # this process's model: forked workers inherit it
        self.probe = probe
        self.task = task
        self.workers = workers
        self.window = workers * 3
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        """Start the workers with Ctrl-C held back: a worker forked before its initializer
        ignores SIGINT would die of it; the parent gets a held Ctrl-C as soon as they stand."""
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        previous = _loaded.get(self.model)
        _loaded[self.model] = self.loaded  # forked workers start with the model loaded
        pool: ProcessPoolExecutor | None = None
        try:
            with _HeldCtrlC():
                try:
                    pool = ProcessPoolExecutor(
                        self.workers,
                        mp_context=ctx,
                        initializer=_init_local,
                        initargs=(self.probe, self.model),
                    )
                    # with fork every worker starts at the first submit: ask each for its model
                    probes = [pool.submit(self.probe, self.model) for _ in range(self.workers)]
                finally:
                    if previous is None:
                        _loaded.pop(self.model, None)
                    else:
                        _loaded[self.model] = previous
            for probe in probes:
                found = probe.result()
                if found != self.source:
                    raise ExtractionError(
                        f"a local worker has {found.removeprefix('model:')},"
                        f" not {self.source.removeprefix('model:')}"
                    )
        except BaseException:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            raise
        return pool

    def submit(self, texts: Sequence[str]) -> Future[Found]:
        try:
            return self.pool.submit(self.task, self.model, self.source, list(texts))
        except BrokenProcessPool:  # a worker died: the pool is unusable, start another
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(self.task, self.model, self.source, list(texts))

    def lost(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


# -- a Dask cluster ----------------------------------------------------------------------


def address_problem(address: str) -> str | None:
    """What is wrong with a Dask scheduler address (tcp://HOST:PORT and the like), None if nothing.

    Checked before a Client is made: a Client given a malformed address fails half built and,
    when Python collects it, waits 20 s and prints a traceback of its own.
    """
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:  # without distributed, --scheduler says to install it
        return None
    try:
        scheme, where = parse_address(address)
        if scheme in ("tcp", "tls"):
            port = where.rpartition(":")[2]
            if where.count(":") and port and not port.isdigit():
                return f"its port {port!r} is not a number"
            _host, number = parse_host_port(where)
            if not 0 < int(number) < 65536:
                return f"its port {number} is out of range"
    except (ValueError, TypeError) as exc:
        return str(exc) or type(exc).__name__
    return None


class DaskRunner:
    """Chunks on a Dask cluster through ``Client.get_executor()``; workers whose model differs
    from this process's are refused (a line each through ``on_notice``) and left out."""

    def __init__(
        self,
        model: str,
        source: str,
        probe: Probe,
        task: Task,
        address: str,
        on_notice: Callable[[str], None],
    ) -> None:
        try:
            import distributed
        except ImportError:
            raise ExtractionError(
                "extracting on a Dask cluster needs distributed: pip install 'margin[dask]'"
            ) from None
        self._distributed: Any = distributed  # typed loosely: its Client is not annotated
        self.model = model
        self.source = source
        self.probe = probe
        self.task = task
        self.address = address
        self.on_notice = on_notice
        self.refused: set[str] = set()
        problem = address_problem(address)
        if problem:
            raise ExtractionError(
                f"{address!r} is not a Dask scheduler address ({problem});"
                " give one such as tcp://10.0.0.5:8786"
            )
        try:
            self.client: Any = self._distributed.Client(
                address, timeout=CONNECT_TIMEOUT, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExtractionError(
                f"cannot reach the Dask scheduler at {address} ({_first_sentence(exc)});"
                " is `dask scheduler` running there?"
            ) from None
        try:
            self.good = self._probe()
        except BaseException:
            self.client.close()
            raise
        self.window = max(2, len(self.good) * 3)
        self.executor = self._executor()

    def _probe(self) -> list[str]:
        """Ask every worker which model it has (loading it once there); refuse the others."""
        workers = list(self.client.scheduler_info()["workers"])
        if not workers:
            raise ExtractionError(
                f"the Dask scheduler at {self.address} has no workers; start some with"
                f" `dask worker {self.address}`"
            )
        probes = {
            w: self.client.submit(
                self.probe, self.model, workers=[w], allow_other_workers=False, pure=False
            )
            for w in workers
        }
        good = []
        for w, probe in probes.items():
            try:
                found = probe.result(timeout=PROBE_TIMEOUT)
            except Exception as exc:  # the worker left, or runs another margin (or none)
                found = f"error: {_first_sentence(exc)}"
            if found == self.source:
                good.append(w)
            else:
                self._refuse(w, found)
        if not good:
            raise ExtractionError(
                f"no Dask worker at {self.address} has {self.source.removeprefix('model:')};"
                " install the same model (and margin) on the workers"
            )
        return good

    def _refuse(self, worker: str, found: str) -> None:
        if worker in self.refused:
            return
        self.refused.add(worker)
        if found.startswith("error: "):  # no model there, or margin cannot run there
            self.on_notice(f"Dask worker {worker} refused: {found.removeprefix('error: ')}")
            return
        self.on_notice(
            f"Dask worker {worker} refused: it has {found.removeprefix('model:')},"
            f" not {self.source.removeprefix('model:')}"
        )

    def _executor(self) -> Any:
        if self.refused:  # only the workers that have the model
            return self.client.get_executor(
                pure=False, workers=list(self.good), allow_other_workers=False
            )
        return self.client.get_executor(pure=False)

    def submit(self, texts: Sequence[str]) -> Future[Found]:
        future: Future[Found] = self.executor.submit(
            self.task, self.model, self.source, list(texts)
        )
        return future

    def lost(self, exc: BaseException) -> bool:
        if isinstance(exc, WrongModel):  # a worker that joined with another model
            self._refuse(exc.worker, exc.found)
            self.good = [w for w in self.good if w != exc.worker]
            live = set(self.client.scheduler_info()["workers"])
            self.good = [w for w in self.good if w in live] or [
                w for w in live if w not in self.refused
            ]
            if not self.good:
                raise ExtractionError(
                    f"no Dask worker at {self.address} has {self.source.removeprefix('model:')}"
                    " any more"
                ) from None
            self.executor = self._executor()
            return True
        d = self._distributed
        return isinstance(exc, d.KilledWorker | d.CancelledError | CancelledError | OSError)

    def close(self, cancel: bool) -> None:
        try:
            self.executor.shutdown(wait=not cancel)
        finally:
            self.client.close()
