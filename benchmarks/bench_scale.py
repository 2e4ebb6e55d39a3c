#!/usr/bin/env python3
"""Scale: whole-process time and peak memory per resource from 1,000 to 50,000 resources, and
many plans in one call spread over every core.

    python benchmarks/bench_scale.py [--sizes 32,150,500,1563] [--runs 3] [--cache DIR]
                                     [--many 50] [--skip-many]

Size N is a real `terraform show -json` plan of N copies of the 32-resource stack of
../shared/bench/gen_network.py (N = 1563 is 50,016 resources). A plan already in
../shared/bench/plans (nN.json.gz) is used as it is; any other is made at run time by the
shared generator and ../shared/tf/plan-offline (terraform, offline) into --cache, which is
outside the repository: large plans are never committed. Terraform's range() stops at 1,024
values, so above that the generated root's range(N) becomes a concat() of ranges (still one
module call with N keys). Making the 50,000-resource plan takes terraform many minutes
(once; later runs reuse the cached file).

Each size runs `tfcheck check --no-source` and `json.load` of the same file alternately
(median of --runs after a warm-up), wall and CPU seconds (user + system: on a shared,
loaded machine the CPU figures are the steadier ones). The cost per resource is the marginal one, above a
96-resource check (start-up and imports are paid once, whatever the plan's size):
(t(N) - t(96)) / (resources(N) - 96), and the same for peak resident memory.

--many: that many plans (copies of the 960-resource plan) in one `tfcheck check` call,
against the same plans checked one call each, one after another. CPU seconds over wall
seconds says how many cores the one call kept busy (the workers are the child's children,
so their CPU time is in its rusage).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shared benchmark kit beside the checkout (or beside a worktree's parent directory).
SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared" / "bench").is_dir()), ROOT.parent / "shared"
)
PY = sys.executable
# Every run compiles nothing: a user's installed tfcheck has its .pyc files.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update({"PYTHONPATH": str(ROOT), "TFCHECK_NO_CACHE": "1"})
CHECK = [PY, "-m", "tfcheck", "check", "--format", "json", "--no-source", "--fail-on", "never"]


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (with the child's own children) and peak RSS in MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(a: list[str], b: list[str], runs: int) -> tuple[list[tuple[float, float, float]], ...]:
    run_once(a), run_once(b)  # warm-up: page cache, .pyc files
    rows = [(run_once(a), run_once(b)) for _ in range(runs)]
    return [r[0] for r in rows], [r[1] for r in rows]


def plan_for(n: int, cache: Path) -> Path:
    """The plan of N stacks: the shared one, a cached one, or one made now by terraform."""
    shipped = SHARED / "bench" / "plans" / f"n{n}.json.gz"
    out = cache / f"n{n}.json"
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    if shipped.exists():
        with gzip.open(shipped, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return out
    generator, planner = SHARED / "bench" / "gen_network.py", SHARED / "tf" / "plan-offline"
    if not generator.exists() or not planner.exists():
        sys.exit(f"no plan n{n} and no generator/planner under {SHARED}")
    print(f"making n{n} ({n * 32:,} resources) with terraform; this takes a while", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([PY, str(generator), str(n), tmp], check=True)
        _split_range(Path(tmp) / "main.tf", n)
        subprocess.run([str(planner), tmp, str(out) + ".part"], check=True)
    os.replace(str(out) + ".part", out)
    return out


def _split_range(main_tf: Path, n: int) -> None:
    """Terraform's range() makes at most 1,024 values: beyond that, concat() several ranges
    (the same one module call with N keys, as the generator means)."""
    if n <= 1024:
        return
    chunks = ", ".join(f"range({a}, {min(a + 1000, n)})" for a in range(0, n, 1000))
    text = main_tf.read_text(encoding="utf-8")
    main_tf.write_text(text.replace(f"range({n})", f"concat({chunks})"), encoding="utf-8")


def resources(plan: Path) -> int:
    with open(plan, encoding="utf-8") as handle:
        data = json.load(handle)
    return sum(1 for rc in data.get("resource_changes", []) if rc.get("mode") == "managed")


def scale(sizes: list[int], runs: int, cache: Path) -> None:
    small = plan_for(3, cache)
    base = paired(CHECK + [str(small)], [PY, "-c", "pass"], runs)[0]
    base_s = statistics.median(r[0] for r in base)
    base_cpu = statistics.median(r[1] for r in base)
    base_mib = max(r[2] for r in base)
    print(
        f"\n96-resource check: {base_s:.3f} s, {base_cpu:.3f} s CPU, {base_mib:.0f} MiB "
        f"(the fixed part); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"{'resources':>10}{'check s':>9}{'json.load s':>13}{'ratio':>7}{'CPU s':>7}{'ratio':>7}"
        f"{'peak MiB':>10}{'json MiB':>10}{'µs/res':>8}{'CPU µs/res':>12}{'KiB/res':>9}"
    )
    for n in sizes:
        plan = plan_for(n, cache)
        count = resources(plan)
        load = [PY, "-c", "import json,sys; json.load(open(sys.argv[1]))", str(plan)]
        mine, ref = paired(CHECK + [str(plan)], load, runs)
        wall = statistics.median(r[0] for r in mine)
        ratio = statistics.median(a[0] / b[0] for a, b in zip(mine, ref))
        peak = max(r[2] for r in mine)
        cpu = statistics.median(r[1] for r in mine)
        cpu_ratio = statistics.median(a[1] / b[1] for a, b in zip(mine, ref))
        per_us = (wall - base_s) / max(count - 96, 1) * 1e6
        per_cpu = (cpu - base_cpu) / max(count - 96, 1) * 1e6
        per_kib = (peak - base_mib) * 1024 / max(count - 96, 1)
        print(
            f"{count:>10,}{wall:>9.3f}{statistics.median(r[0] for r in ref):>13.3f}{ratio:>7.2f}"
            f"{cpu:>7.3f}{cpu_ratio:>7.2f}{peak:>10.0f}{max(r[2] for r in ref):>10.0f}"
            f"{per_us:>8.1f}{per_cpu:>12.1f}{per_kib:>9.2f}",
            flush=True,
        )


def many(count: int, runs: int, cache: Path) -> None:
    source = plan_for(30, cache)
    with tempfile.TemporaryDirectory() as tmp:
        plans = []
        for i in range(count):
            path = Path(tmp) / f"plan{i:03d}.json"
            shutil.copyfile(source, path)
            plans.append(str(path))
        one_call = CHECK + plans
        run_once(one_call)
        rows = [run_once(one_call) for _ in range(runs)]
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        start = time.perf_counter()
        cpu_each = sum(run_once(CHECK + [p])[1] for p in plans)
        each_wall = time.perf_counter() - start
        print(
            f"\n{count} plans of 960 resources, one call: {wall:.2f} s wall, {cpu:.2f} s CPU, "
            f"{cpu / wall:.2f} cores busy of {os.cpu_count()}"
        )
        print(
            f"the same {count} plans, one call each: {each_wall:.2f} s wall, {cpu_each:.2f} s CPU; "
            f"one call / separate calls {wall / each_wall:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="32,150,500,1563", help="stack counts (× 32 resources); default 1k, 4.8k, 16k, 50k"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "tfcheck-bench-plans"))
    parser.add_argument("--many", type=int, default=50)
    parser.add_argument("--skip-many", action="store_true")
    args = parser.parse_args()
    cache = Path(args.cache)
    scale([int(n) for n in args.sizes.split(",")], args.runs, cache)
    if not args.skip_many:
        many(args.many, args.runs, cache)


if __name__ == "__main__":
    main()
