"""Every fixture's outputs, and their digests: the golden record a refactor must leave alone.

For each committed fixture plan, read three ways (plan + source, `--no-source`, and the HCL
directory when it has one), this renders the findings (json, sarif, markdown, text), the graph
JSON and, for plans, the cost JSON, all from one check per read.
`tests/golden/fixture-outputs.sha256` holds one digest per output; tests/test_fixture_outputs.py
compares them.

    python tools/fixture_outputs.py --update          # rewrite the digests after a deliberate change
    python tools/fixture_outputs.py --write DIR       # every output as a file, to diff two checkouts
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfcheck.config import Config, find_config, graph_options, load_config  # noqa: E402
from tfcheck.cost.prices import PriceTable, load_prices  # noqa: E402
from tfcheck.cost.report import CostInput, cost_document, declared_destinations  # noqa: E402
from tfcheck.cost.usage import Usage, load_usage  # noqa: E402
from tfcheck.errors import TfcheckError  # noqa: E402
from tfcheck.findings import FailOn  # noqa: E402
from tfcheck.formats import get_renderer  # noqa: E402
from tfcheck.graph.read import before_graph, read_graph  # noqa: E402
from tfcheck.load.inputs import SourceOptions  # noqa: E402
from tfcheck.policy.load import Policy, load_policies  # noqa: E402
from tfcheck.run import CheckOptions, build_report  # noqa: E402

DIGESTS = ROOT / "tests" / "golden" / "fixture-outputs.sha256"
FORMATS = ("json", "sarif", "markdown", "text")


def fixtures() -> list[Path]:
    return sorted(p.parent.relative_to(ROOT) for p in (ROOT / "fixtures").rglob("plan.json"))


def outputs() -> Iterator[tuple[str, str]]:
    """(name, text) for every output of every fixture, in a stable order."""
    policies = load_policies(())
    prices, usage = load_prices(None), load_usage(None)
    previous = Path.cwd()
    os.chdir(ROOT)  # paths in outputs are relative to the repository root
    try:
        for case in fixtures():
            found = find_config(ROOT / case)
            config = load_config(found) if found else Config()
            reads = {
                "source": (str(case / "plan.json"), SourceOptions()),
                "plan": (str(case / "plan.json"), SourceOptions(use_source=False)),
            }
            if (case / "main.tf").is_file():
                reads["hcl"] = (str(case), SourceOptions())
            for mode, (path, source) in reads.items():
                yield from _one(f"{case}:{mode}", path, source, config, policies, prices, usage)
    finally:
        os.chdir(previous)


def _one(
    name: str,
    path: str,
    source: SourceOptions,
    config: Config,
    policies: tuple[Policy, ...],
    prices: PriceTable,
    usage: Usage,
) -> Iterator[tuple[str, str]]:
    options = CheckOptions(
        (path,), (), (), (), FailOn.ERROR, False, "markdown", None, True, False, source=source
    )
    try:
        report = build_report(options, config, policies)
    except TfcheckError as e:
        yield f"{name}:error", f"{e.path}: {e.message}\n"
        return
    for fmt in FORMATS:
        yield f"{name}:{fmt}", get_renderer(fmt)(report, verbose=True)
    graph, loaded = read_graph(path, graph_options(config), source)
    yield f"{name}:graph", json.dumps(graph.document(), indent=2) + "\n"
    if loaded.mode != "hcl":
        one = CostInput(path, graph, before_graph(loaded, graph_options(config)))
        try:
            doc = cost_document([one], prices, usage, declared_destinations(config))
        except TfcheckError as e:
            yield f"{name}:cost", f"error: {e.path}: {e.message}\n"
        else:
            yield f"{name}:cost", json.dumps(doc, indent=2) + "\n"


def digests() -> dict[str, str]:
    return {
        name: hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest() for name, text in outputs()
    }


def read_digests() -> dict[str, str]:
    out = {}
    for line in DIGESTS.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        out[name] = digest
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/fixture-outputs.sha256")
    parser.add_argument("--write", metavar="DIR", help="write every output as DIR/<fixture>__<mode>.<output>")
    args = parser.parse_args()
    if args.write:
        out = Path(args.write)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in outputs():
            (out / name.replace("/", "__").replace(":", ".")).write_text(
                text, encoding="utf-8", errors="surrogateescape"
            )
        return 0
    current = digests()
    if args.update:
        DIGESTS.write_text("".join(f"{d}  {n}\n" for n, d in current.items()), encoding="utf-8")
        print(f"{len(current)} digests written to {DIGESTS.relative_to(ROOT)}")
        return 0
    recorded = read_digests()
    changed = sorted(n for n in set(current) | set(recorded) if current.get(n) != recorded.get(n))
    for name in changed:
        print(name)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
