"""The check pipeline, load → graph → evaluate → report, as plain functions (no streams, no argv).

Several plans are checked in parallel processes, one per core, since each is independent.
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tfcheck.findings import FailOn
from tfcheck.load.inputs import SourceOptions, input_label

if TYPE_CHECKING:
    from tfcheck.config import Config
    from tfcheck.findings import Finding, Report, RuleInfo
    from tfcheck.graph.build import GraphOptions
    from tfcheck.policy.load import Policy


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


@dataclass(frozen=True, slots=True)
class Checked:
    """One plan (or HCL directory) checked: its findings, graph and inline suppressions."""

    label: str
    findings: list[Finding]
    graph: dict[str, Any]
    comments: dict[str, list[str]]
    notes: tuple[str, ...] = ()  # what loading noticed: plan/source disagreements, HCL it skipped


def build_report(options: CheckOptions, config: Config | None = None,
                 policies: Sequence[Policy] | None = None) -> Report:
    """Inputs → graphs → findings, with suppressions applied; everything a format may need.

    Without `config`/`policies`, the default config file and the built-in pack (plus
    `options.policy_dirs`) are read, as the CLI would without a cache.
    """
    from tfcheck import suppress
    from tfcheck.baseline import load_baseline
    from tfcheck.config import graph_options
    from tfcheck.findings import Report
    from tfcheck.policy.load import select

    if config is None:
        from pathlib import Path

        from tfcheck.config import find_config, load_config

        config = load_config(options.config or find_config(Path.cwd()), None)
    if policies is None:
        from tfcheck.policy.load import load_policies

        policies = load_policies(options.policy_dirs)
    chosen = select(
        policies, only=options.only, skip=options.skip, disabled=config.disabled,
        enabled=config.enabled, severity=config.severity,
    )
    paths = list(options.plans or (None,))
    # Only the Markdown report draws the network; other formats need just the summary.
    formats = {options.format, *(name for name, _ in options.outputs)} - {None}
    keep = not formats or "markdown" in formats
    checked = check_all(paths, chosen, graph_options(config), options.source, keep)
    baseline = load_baseline(options.baseline) if options.baseline else frozenset()
    today = datetime.date.today()
    results: list[Finding] = []
    all_comments: dict[str, list[str]] = {}
    for one in checked:
        all_comments.update(one.comments)
        results += suppress.apply(
            one.findings, comments=one.comments, waivers=config.waivers, baseline=baseline,
            baseline_file=options.baseline or "", today=today,
        )
    notes = suppress.notes(config.waivers, today, config.path or ".tfcheck.yml", all_comments,
                           known={p.id for p in policies})
    notes += tuple(note for one in checked for note in _unresolved_note(one))
    if options.verbose:
        notes += tuple(f"{one.label}: {note}" for one in checked for note in one.notes)
    cost = None
    # Only the Markdown report shows cost: what an update plan adds or saves, or (with a
    # usage file) today's total; a bad usage/price file is an error whatever the format.
    if "markdown" in formats or options.usage or options.prices:
        from tfcheck.cost.summary import summarize

        cost = summarize(paths, options.usage, options.prices, config, "markdown" in formats)
    return Report.build(results, [one.label for one in checked], rules=len(chosen),
                        rule_info=map(rule_info, chosen), graphs=[one.graph for one in checked],
                        notes=notes, cost=cost)


def check_all(paths: Sequence[str | None], policies: Sequence[Policy], graph_options: GraphOptions,
              source: SourceOptions, keep_graphs: bool = True) -> list[Checked]:
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2:
        return [check_one(path, policies, graph_options, source, keep_graphs) for path in paths]
    import multiprocessing  # only now: importing it costs a one-plan run ~5 ms

    if "fork" not in multiprocessing.get_all_start_methods():
        return [check_one(path, policies, graph_options, source, keep_graphs) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    # Compiled policies hold closures, which do not pickle: forked workers inherit them.
    global _SHARED
    _SHARED = (tuple(policies), graph_options, source, keep_graphs)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_check_forked, paths))
    finally:
        _SHARED = None


_SHARED: tuple[tuple[Policy, ...], GraphOptions, SourceOptions, bool] | None = None


def _check_forked(path: str | None) -> Checked:
    assert _SHARED is not None
    return check_one(path, *_SHARED)


def check_one(path: str | None, policies: Sequence[Policy], graph_options: GraphOptions,
              source: SourceOptions, keep_graph: bool = True) -> Checked:
    from tfcheck.policy.evaluate import evaluate
    from tfcheck.load.inputs import load_graph

    label = input_label(path)
    graph, loaded = load_graph(path, graph_options, source)
    findings = evaluate(policies, graph, plan=label)
    if not keep_graph:  # a worker would pickle the whole graph back for nothing
        graph = {"summary": graph["summary"]}
    return Checked(label, findings, graph, dict(loaded.comments), loaded.notes)


def _unresolved_note(one: Checked) -> Iterable[str]:
    """One line when edges stayed unknown, and how to resolve them."""
    summary = one.graph.get("summary", {})
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
    from tfcheck.findings import RuleInfo

    fix = " ".join(p.remediation.source.split()) if p.remediation is not None else ""
    return RuleInfo(p.id, p.title, p.severity, p.description.strip(), fix, tuple(p.links))
