#!/usr/bin/env python3
"""Two checkouts of tfcheck on the same inputs, run alternately: wall and CPU time, memory.

    python benchmarks/bench_ab.py --base DIR [--runs 5] TARGET...

DIR is another checkout (say `git archive <commit> | tar -x -C DIR`), run with this
interpreter and `PYTHONPATH=DIR`; the current checkout runs with `PYTHONPATH` set to it.
Each TARGET is what `tfcheck check` gets (a plan, a directory); `TARGET,--no-source`
passes extra arguments. Runs alternate A B A B after one warm-up each, so a busy machine
slows both alike; medians are reported, CPU time (user + system) beside wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(checkout: str, args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one `tfcheck check`."""
    env = {**os.environ, "PYTHONPATH": checkout}
    cmd = [sys.executable, "-m", "tfcheck", "check", *args, "--format", "json", "--fail-on", "never"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=checkout)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: {' '.join(args)} exited {proc.returncode}")
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("targets", nargs="+")
    options = parser.parse_args()
    base, here = str(Path(options.base).resolve()), str(ROOT)
    print(
        f"{'target':<40} {'base wall':>9} {'new wall':>9} {'base cpu':>9} {'new cpu':>9}"
        f" {'base MiB':>8} {'new MiB':>8}"
    )
    for target in options.targets:
        path, *extra = target.split(",")
        args = [str(Path(path).resolve()), *extra]
        run_once(base, args), run_once(here, args)  # warm-up: page cache, .pyc files
        rows = [(run_once(base, args), run_once(here, args)) for _ in range(options.runs)]
        med = [statistics.median(r[side][k] for r in rows) for side in (0, 1) for k in (0, 1)]
        mem = [max(r[side][2] for r in rows) for side in (0, 1)]
        print(
            f"{target:<40} {med[0]:>9.2f} {med[2]:>9.2f} {med[1]:>9.2f} {med[3]:>9.2f}"
            f" {mem[0]:>8.0f} {mem[1]:>8.0f}"
        )


if __name__ == "__main__":
    main()
