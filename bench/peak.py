"""A child process's own peak RSS (VmHWM), written at exit to the file $BENCH_PEAK names.

os.wait4's ru_maxrss is no good for this on Linux: a child keeps the peak of the process it was
forked from across exec, so every export run after a big one reported the big one's peak.
"""

from __future__ import annotations

import atexit
import os


def _write(path: str) -> None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    kb = int(line.split()[1])
                    with open(path, "w", encoding="ascii") as out:
                        out.write(str(kb))
                    return
    except OSError:
        return


if os.environ.get("BENCH_PEAK"):
    atexit.register(_write, os.environ["BENCH_PEAK"])
