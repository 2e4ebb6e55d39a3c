#!/usr/bin/env python3
"""Time loading a plan and building the graph, next to a bare json.load of the same file.

    python benchmarks/bench_graph.py [PLAN.json ...]      # default: generated plans

Pass plan files (gzip accepted); with none it looks in benchmarks/plans/. In-process
timings, best of --repeat runs; whole-process ratios are in benchmarks/bench_cli.py.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfcheck.graph.build import build_graph  # noqa: E402
from tfcheck.load.inventory import build_inventory  # noqa: E402
from tfcheck.load.plan import load_plan  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain(path: str) -> Path:
    """A gzip'd plan is unpacked to a temp file so both sides read the same bytes."""
    if not path.endswith(".gz"):
        return Path(path)
    out = Path(tempfile.mkdtemp()) / Path(path).name[:-3]
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def main() -> None:
    gc.disable()  # as `tfcheck` itself runs (cli.main): the cycle collector makes big plans superlinear
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plans = args.plans or sorted(str(p) for p in (ROOT / "benchmarks" / "plans").glob("n*.json*"))
    if not plans:
        sys.exit("no plans: pass plan paths (nNNN.json or .json.gz)")
    print(f"{'plan':<28}{'resources':>10}{'json.load s':>13}{'graph s':>10}{'ratio':>8}{'µs/resource':>13}")
    for name in plans:
        path = plain(name)
        load_s = best(lambda: json.load(open(path)), args.repeat)
        graph_s = best(lambda: build_graph(build_inventory(load_plan(str(path)))), args.repeat)
        count = build_graph(build_inventory(load_plan(str(path)))).summary["resources"]
        print(
            f"{Path(name).name:<28}{count:>10}{load_s:>13.3f}{graph_s:>10.3f}"
            f"{graph_s / load_s:>8.2f}{graph_s / max(count, 1) * 1e6:>13.1f}"
        )


if __name__ == "__main__":
    main()
