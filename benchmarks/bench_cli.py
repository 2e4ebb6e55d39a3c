#!/usr/bin/env python3
"""Whole-process timings of tfcheck against reference commands, as issue #5 sets them.

    python benchmarks/bench_cli.py [--runs 5] [--plans DIR]

Each pair of commands runs alternately (A B A B ...) after one warm-up, so the ratio is
taken pair by pair on a noisy machine; the median is reported. Peak memory is the child's
own maximum resident set (os.wait4). Plans: `nNNN.json` / `nNNN.json.gz` (real terraform
plans of NNN copies of a 32-resource VPC stack) in --plans DIR; the default looks in
../shared/bench/plans beside the repository. Checkov is compared when it is on PATH.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0
    return wall, usage.ru_maxrss / 1024


def pair(a: list[str], b: list[str], runs: int, env: dict[str, str]) -> dict[str, float]:
    run_once(a, env), run_once(b, env)  # warm-up: page cache, .pyc files
    rows = [(run_once(a, env), run_once(b, env)) for _ in range(runs)]
    return {
        "a_s": statistics.median(r[0][0] for r in rows),
        "b_s": statistics.median(r[1][0] for r in rows),
        "ratio": statistics.median(r[0][0] / r[1][0] for r in rows),
        "a_mib": max(r[0][1] for r in rows),
        "b_mib": max(r[1][1] for r in rows),
        "mem_ratio": max(r[0][1] for r in rows) / max(r[1][1] for r in rows),
    }


def plain(path: Path, workdir: Path) -> Path:
    if path.suffix != ".gz":
        return path
    out = workdir / path.name[:-3]
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def find_plans(given: str | None) -> dict[str, Path]:
    dirs = (
        [Path(given)]
        if given
        else [ROOT.parent / "shared" / "bench" / "plans", ROOT / "benchmarks" / "plans"]
    )
    for directory in dirs:
        found = {p.name.split(".")[0]: p for p in sorted(directory.glob("n*.json*"))}
        if found:
            return found
    sys.exit("no benchmark plans found: pass --plans DIR (files nNNN.json or nNNN.json.gz)")


def show(title: str, a: str, b: str, result: dict[str, float], target: str) -> None:
    print(f"\n{title}\n  A: {a}\n  B: {b}")
    print(
        f"  median wall  A {result['a_s']:.3f} s   B {result['b_s']:.3f} s   A/B {result['ratio']:.2f}   ({target})"
    )
    print(
        f"  peak memory  A {result['a_mib']:.0f} MiB   B {result['b_mib']:.0f} MiB   A/B {result['mem_ratio']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans")
    args = parser.parse_args()
    plans = find_plans(args.plans)
    # Without .pyc files every run would compile tfcheck from source: an installed tfcheck has them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"PYTHONPATH": str(ROOT), "TFCHECK_NO_CACHE": "1"})
    tfcheck = [PY, "-m", "tfcheck", "check", "--format", "json", "--no-source", "--fail-on", "never"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small = plain(plans.get("n3") or next(iter(plans.values())), work)
        result = pair(tfcheck + [str(small)], [PY, "-c", "pass"], args.runs, env)
        show(
            f"start-up: tfcheck check on {small.name}",
            "tfcheck check",
            "python3 -c pass",
            result,
            "target <= 4",
        )
        for name in ("n30", "n150", "n500"):
            if name not in plans:
                continue
            plan = plain(plans[name], work)
            load = [PY, "-c", "import json,sys; json.load(open(sys.argv[1]))", str(plan)]
            result = pair(tfcheck + [str(plan)], load, args.runs, env)
            show(
                f"check vs json.load on {plan.name} ({plan.stat().st_size / 1e6:.1f} MB)",
                "tfcheck check",
                "json.load",
                result,
                "target <= 2.5 at 16k resources; memory <= 4",
            )
        if "n500" in plans and "n150" in plans:
            big = plain(plans["n500"], work)
            result = pair(tfcheck + [str(big), str(big)], tfcheck + [str(big)], args.runs, env)
            show(
                "two plans in one run vs one plan (both cores)",
                "2 plans",
                "1 plan",
                result,
                "< 2 means the second plan ran in parallel",
            )
        if "n500" in plans:
            big = plain(plans["n500"], work)
            cost = [PY, "-m", "tfcheck", "cost", str(big)]
            graph = [PY, "-m", "tfcheck", "graph", str(big), "--no-source"]
            result = pair(cost, graph, args.runs, env)
            show("tfcheck cost vs tfcheck graph", "tfcheck cost", "tfcheck graph", result, "target <= 1.2")
        checkov = shutil.which("checkov")
        if checkov:
            for name in ("n3", "n150"):
                if name in plans:
                    plan = plain(plans[name], work)
                    cmd = [checkov, "-f", str(plan), "--framework", "terraform_plan", "--quiet", "--compact"]
                    result = pair(tfcheck + [str(plan)], cmd, 3, env)
                    show(
                        f"tfcheck vs checkov on {plan.name}",
                        "tfcheck check",
                        "checkov",
                        result,
                        "lower is better",
                    )
        else:
            print("\ncheckov is not on PATH: no comparison (pip install checkov to add it)")


if __name__ == "__main__":
    main()
