"""The check pipeline, load → graph → evaluate → report, as plain functions (no streams, no argv).

Each input is read and its graph built once; the findings, the drawings and the cost
figures all come from that one graph. Several inputs are checked in parallel processes,
one per core, since each is independent.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfcheck import suppress
from tfcheck.baseline import load_baseline
from tfcheck.change import classify
from tfcheck.config import Config, find_config, graph_options, load_config
from tfcheck.findings import Change, FailOn, Finding, Gate, Report, RuleInfo
from tfcheck.graph.model import Graph, GraphOptions
from tfcheck.graph.read import before_graph, read_graph
from tfcheck.load.inputs import SourceOptions, input_label
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import Policy, guidance, load_policies, select
from tfcheck.workspace import repo_root

if TYPE_CHECKING:  # the cost modules are imported only by a run that prices something
    from tfcheck.cost.prices import PriceTable
    from tfcheck.cost.usage import Usage


@dataclass(frozen=True, slots=True)
class CheckOptions:
    plans: tuple[str, ...]
    policy_dirs: tuple[str, ...]
    only: tuple[str, ...]
    skip: tuple[str, ...]
    fail_on: FailOn
    strict: bool
    format: str | None  # printed on stdout; None: nothing
    config: str | None
    verbose: bool
    color: bool
    outputs: tuple[tuple[str, str], ...] = ()  # (format, file) pairs, each written atomically
    baseline: str | None = None
    source: SourceOptions = field(default_factory=SourceOptions)
    usage: str | None = None  # --usage FILE: traffic for the Markdown report's cost section
    prices: str | None = None  # --prices FILE: Regions added to the built-in price table
    only_new: bool = False  # --fail-on-new: only results an update plan introduces set the exit code


@dataclass(frozen=True, slots=True)
class Checked:
    """One plan (or HCL directory) checked: its findings, graph and inline suppressions."""

    label: str
    findings: list[Finding]
    graph: Graph
    comments: dict[str, list[str]]
    notes: tuple[str, ...] = ()  # what loading noticed: plan/source disagreements, HCL it skipped
    cost: Mapping[str, Any] | None = None  # its figures for the Markdown report's cost section
    change: Change | None = None  # an update plan: what the change introduces and resolves


@dataclass(frozen=True, slots=True)
class Job:
    """What every input's check shares; forked workers inherit it (compiled policies hold
    closures, which do not pickle)."""

    policies: tuple[Policy, ...]
    graph_options: GraphOptions
    source: SourceOptions
    keep_graphs: bool = True
    # Set when the report shows cost: prices, usage and `internet_destinations`.
    cost: tuple[PriceTable, Usage, tuple[tuple[str, list[str]], ...]] | None = None


def build_report(
    options: CheckOptions, config: Config | None = None, policies: Sequence[Policy] | None = None
) -> Report:
    """Inputs → graphs → findings, with suppressions applied; everything a format may need.

    Without `config`/`policies`, the default config file and the built-in pack (plus
    `options.policy_dirs`) are read, as the CLI would without a cache.
    """
    if config is None:
        config = load_config(options.config or find_config(Path.cwd()), None)
    if policies is None:
        policies = load_policies(options.policy_dirs)
    chosen = select(
        policies,
        only=options.only,
        skip=options.skip,
        disabled=config.disabled,
        enabled=config.enabled,
        severity=config.severity,
    )
    paths = list(options.plans or (None,))
    # Only the Markdown report draws the network; other formats need just the summary.
    formats = {options.format, *(name for name, _ in options.outputs)} - {None}
    keep = not formats or "markdown" in formats
    # Only the Markdown report shows cost; a bad usage or price file is an error whatever the
    # format, as in `tfcheck cost`.
    cost = None
    if "markdown" in formats or options.usage or options.prices:
        from tfcheck.cost.prices import load_prices
        from tfcheck.cost.report import declared_destinations
        from tfcheck.cost.usage import load_usage

        prices, usage = load_prices(options.prices), load_usage(options.usage)
        if "markdown" in formats:
            cost = (prices, usage, tuple(declared_destinations(config)))
    # --verbose shows where plan and source disagree: only then is every known value compared.
    source = replace(options.source, compare=options.verbose)
    job = Job(tuple(chosen), graph_options(config), source, keep, cost)
    checked = check_all(paths, job)
    baseline = load_baseline(options.baseline) if options.baseline else frozenset()
    today = datetime.date.today()
    results: list[Finding] = []
    all_comments: dict[str, list[str]] = {}
    for one in checked:
        all_comments.update(one.comments)
        results += suppress.apply(
            one.findings,
            comments=one.comments,
            waivers=config.waivers,
            baseline=baseline,
            baseline_file=options.baseline or "",
            today=today,
        )
    notes = suppress.notes(
        config.waivers, today, config.path or ".tfcheck.yml", all_comments, known={p.id for p in policies}
    )
    notes += tuple(note for one in checked for note in _unresolved_note(one))
    if options.verbose:
        notes += tuple(f"{one.label}: {note}" for one in checked for note in one.notes)
    summary = None
    if cost is not None:
        from tfcheck.cost.summary import summarize

        summary = summarize(
            [one.cost for one in checked if one.cost is not None], cost[1], int(cost[0].hours)
        )
    return Report.build(
        results,
        [one.label for one in checked],
        rules=len(chosen),
        rule_info=map(rule_info, chosen),
        graphs=[one.graph for one in checked],
        notes=notes,
        cost=summary,
        changes=[one.change for one in checked if one.change is not None],
        gate=Gate(options.fail_on, options.strict, options.only_new),
        location_base=_location_base(),
    )


def check_all(paths: Sequence[str | None], job: Job) -> list[Checked]:
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2:
        return [check_one(path, job) for path in paths]
    # Imported only now: multiprocessing costs a one-plan run ~5 ms of start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [check_one(path, job) for path in paths]
    global _SHARED
    _SHARED = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_check_forked, paths))
    finally:
        _SHARED = None


_SHARED: Job | None = None


def _check_forked(path: str | None) -> Checked:
    assert _SHARED is not None
    return check_one(path, _SHARED)


# What the last plan checked was read into: its document, inventory and graphs. The console
# script ends with os._exit (cli.entry), so what is still referenced then is never freed
# object by object; freed when check_one returned, they cost ~40 ms of a 0.85 s check of a
# 16,000-resource plan. Dropped when the next plan starts: a run holds one plan's at a time.
_LAST_READ: list[object] = []


def check_one(path: str | None, job: Job) -> Checked:
    _LAST_READ.clear()
    label = input_label(path)
    graph, loaded = read_graph(path, job.graph_options, job.source)
    findings = evaluate(job.policies, graph, plan=label)
    before = before_graph(loaded, job.graph_options)  # an update plan's prior state, else None
    change = None
    if before is not None and loaded.updates():  # the same rules over the "before": what this change does
        findings, change = classify(
            findings, evaluate(job.policies, before, plan=label), before, graph, label
        )
    cost = None
    if job.cost is not None:
        from tfcheck.cost.report import CostInput
        from tfcheck.cost.summary import plan_summary, wanted

        prices, usage, declared = job.cost
        if wanted(usage, loaded.prior is not None):
            cost = plan_summary(CostInput(label, graph, before), prices, usage, declared)
    _LAST_READ[:] = (loaded, graph, before)
    if not job.keep_graphs:  # a worker would pickle the whole graph back for nothing
        graph = Graph({"summary": graph.summary})
    return Checked(label, findings, graph, dict(loaded.comments), loaded.notes, cost, change)


def cost_report(
    paths: Sequence[str | None],
    usage_path: str | None,
    prices_path: str | None,
    config: Config,
    source: SourceOptions = SourceOptions(),
) -> dict[str, Any]:
    """`tfcheck cost`: each input's graph (read as `check` reads it) priced, one document."""
    from tfcheck.cost.prices import load_prices
    from tfcheck.cost.report import CostInput, cost_document, declared_destinations
    from tfcheck.cost.usage import load_usage

    prices, usage = load_prices(prices_path), load_usage(usage_path)
    options = graph_options(config)
    inputs = []
    for path in paths or (None,):
        graph, loaded = read_graph(path, options, source)
        inputs.append(CostInput(input_label(path), graph, before_graph(loaded, options)))
    return cost_document(inputs, prices, usage, declared_destinations(config))


def _location_base() -> tuple[str, str]:
    """(repository root, working directory): what SARIF locations are relative to."""
    cwd = Path.cwd().resolve()
    return (str(repo_root(cwd) or cwd), str(cwd))


def _unresolved_note(one: Checked) -> Iterable[str]:
    """One line when edges stayed unknown, and how to resolve them."""
    summary = one.graph.summary
    edges = summary.get("edges", {})
    if not edges.get("unknown"):
        return ()
    reasons = ", ".join(f"{reason} ({count})" for reason, count in edges.get("by_reason", {}).items())
    hint = ""
    if summary.get("mode") in ("plan", "state"):
        hint = "; pass --source DIR (the root module's directory) to resolve locals and dynamic blocks"
    elif any("terraform init" in reason for reason in edges.get("by_reason", {})):
        hint = "; run terraform init so installed modules can be read"
    return (f"{one.label}: {edges['unknown']} edge(s) unresolved: {reasons}{hint}",)


def rule_info(p: Policy) -> RuleInfo:
    """A rule as catalogues show it: its fix as general guidance, no placeholder left."""
    fix = guidance(p.remediation.source, p.resource) if p.remediation is not None else ""
    return RuleInfo(p.id, p.title, p.severity, p.description.strip(), fix, tuple(p.links), p.page, p.resource)
