#!/usr/bin/env python3
"""What each speed device buys, measured with it and without it (issue 17: every device that
stays earns its figure in benchmarks/README.md).

    python benchmarks/bench_devices.py [--plan PLAN.json] [--runs 5]

Each device runs in fresh processes, with and without it, alternately; the median CPU
seconds of the part it speeds up are printed (CPU, not wall: this machine is shared).

- layouts: load/shared.py resolves a module's reference once per module layout;
  without it every instance resolves its own (`build_inventory` CPU).
- gc: cli.main turns the cycle collector off for its run (load + graph + rules CPU).
- jmespath: the rules run as closures compiled from the AST; without it jmespath's own
  tree interpreter runs them (`evaluate` CPU).
- pack: the built-in rules come from policy/builtin.json; without it each YAML file is read
  (yaml imported, no schema check, as the pack skips it too): `load_policies` CPU with imports.
- os._exit: the console script exits without tearing the heap down; without it the
  interpreter frees every object (whole-process wall, `tfcheck check`).
- keep: run.py leaves the last plan's document, inventory and graph for that exit; without
  it they are freed object by object when its check returns (whole-process wall).
"""

from __future__ import annotations

import argparse
import gc
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
SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared" / "bench").is_dir()), ROOT.parent / "shared"
)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update({"PYTHONPATH": str(ROOT), "TFCHECK_NO_CACHE": "1"})


def inner(device: str, on: bool, plan: str) -> float:
    """CPU seconds of the part `device` speeds up, in this process."""
    start = time.process_time()
    if device == "pack":
        from tfcheck.policy.load import builtin_dir, load_policies, load_policy_file, policy_files

        if on:
            load_policies()
        else:
            [load_policy_file(p, validate=False) for p in policy_files(builtin_dir())]
        return time.process_time() - start
    from tfcheck.graph.build import build_graph
    from tfcheck.load.inventory import build_inventory
    from tfcheck.load.plan import load_plan
    from tfcheck.load.shared import Shared
    from tfcheck.policy.evaluate import evaluate
    from tfcheck.policy.load import load_policies

    if device != "gc" or on:
        gc.disable()
    doc = load_plan(plan)
    policies = load_policies()
    if device == "layouts":
        if not on:
            Shared.value = lambda self, expr, ctx, attr, finish: finish(  # type: ignore[method-assign]
                self.resolver.expression(expr, ctx), attr
            )
        start = time.process_time()
        build_inventory(doc)
        return time.process_time() - start
    if device == "jmespath":
        graph = build_graph(build_inventory(doc))
        if not on:
            _interpreted(policies)
        start = time.process_time()
        evaluate(policies, graph, plan=plan)
        return time.process_time() - start
    start = time.process_time()
    evaluate(policies, build_graph(build_inventory(load_plan(plan))), plan=plan)
    return time.process_time() - start


def _interpreted(policies: object) -> None:
    """Every Query of the policies answers through jmespath's TreeInterpreter."""
    from tfcheck.policy.compiled import is_false
    from tfcheck.policy.dialect import Query

    seen: set[int] = set()

    def walk(obj: object) -> None:
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, type(None))):
            return
        seen.add(id(obj))
        if isinstance(obj, Query):
            query = obj
            object.__setattr__(query, "value", query.interpret)
            object.__setattr__(query, "holds", lambda item: not is_false(query.interpret(item)))
            return
        if isinstance(obj, dict):
            for value in obj.values():
                walk(value)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for value in obj:
                walk(value)
        elif hasattr(obj, "__dataclass_fields__"):
            for name in obj.__dataclass_fields__:
                walk(getattr(obj, name, None))

    walk(policies)


def child(device: str, on: bool, plan: str) -> float:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_devices; "
        f"print(bench_devices.inner({device!r}, {on!r}, {plan!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True)
    return float(done.stdout.split()[-1])


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(SHARED / "bench" / "plans" / "n500.json.gz"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="one device")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = args.plan
        if plan.endswith(".gz"):
            plan = str(Path(tmp) / Path(plan).name[:-3])
            with gzip.open(args.plan, "rb") as src, open(plan, "wb") as dst:
                shutil.copyfileobj(src, dst)
        print(f"plan {Path(plan).name}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for device in ("layouts", "gc", "jmespath", "pack"):
            if args.only and device != args.only:
                continue
            child(device, True, plan), child(device, False, plan)
            rows = [(child(device, True, plan), child(device, False, plan)) for _ in range(args.runs)]
            with_s = statistics.median(r[0] for r in rows)
            without_s = statistics.median(r[1] for r in rows)
            ratio = statistics.median(r[1] / r[0] for r in rows)
            print(
                f"{device:<10} with {with_s:.3f} s CPU   without {without_s:.3f} s   "
                f"without/with {ratio:.2f}",
                flush=True,
            )
        # Whole-process devices: `tfcheck check` as installed, against the same run without it.
        check = ["check", "--format", "json", "--no-source", "--fail-on", "never", plan]
        without = {
            "exit": (
                "os._exit",
                "import sys; from tfcheck.cli import main; sys.exit(main(sys.argv[1:]))",
            ),
            "keep": (
                "keep",
                "import tfcheck.run as run; "
                "run._LAST_READ = type('Freed', (list,), {'__setitem__': lambda *a: None})(); "
                "from tfcheck.cli import entry; entry()",
            ),
        }
        for device, (label, code) in without.items():
            if not args.only or args.only == device:
                _pair(
                    label,
                    [sys.executable, "-m", "tfcheck", *check],
                    [sys.executable, "-c", code, *check],
                    args.runs,
                )


def _pair(device: str, fast: list[str], slow: list[str], runs: int) -> None:
    wall(fast), wall(slow)
    rows = [(wall(fast), wall(slow)) for _ in range(runs)]
    print(
        f"{device:<10} with {statistics.median(r[0] for r in rows):.3f} s wall   "
        f"without {statistics.median(r[1] for r in rows):.3f} s   without/with "
        f"{statistics.median(r[1] / r[0] for r in rows):.2f}"
    )


if __name__ == "__main__":
    main()
