"""A run ends with os._exit (cli.entry): what the last plan was read into is left for it,
not freed object by object when its check returns (~40 ms of a 16,000-resource check),
and one plan's data is held at a time, whatever the number of plans."""

from __future__ import annotations

import pytest
from conftest import REPO

from tfcheck import run
from tfcheck.errors import InputError
from tfcheck.graph.model import GraphOptions
from tfcheck.load.inputs import SourceOptions
from tfcheck.policy.load import load_policies

DEMO = str(REPO / "fixtures" / "demo" / "plan.json")


def job(keep: bool) -> run.Job:
    return run.Job(tuple(load_policies()), GraphOptions(), SourceOptions(use_source=False), keep)


def test_the_last_plan_read_is_kept_with_its_document() -> None:
    checked = run.check_one(DEMO, job(keep=False))
    loaded, graph, before = run._LAST_READ
    assert loaded.document is not None and loaded.document.path == DEMO
    assert len(graph.collection("vpcs")) == checked.graph.summary["vpcs"] > 0  # the whole graph
    assert checked.graph is not graph  # the result carries only the summary
    assert before is None


def test_a_second_plan_drops_the_first() -> None:
    run.check_one(DEMO, job(keep=False))
    first = run._LAST_READ[1]
    run.check_one(DEMO, job(keep=False))
    assert len(run._LAST_READ) == 3 and run._LAST_READ[1] is not first


def test_a_plan_that_fails_to_load_drops_the_last_one() -> None:
    run.check_one(DEMO, job(keep=False))
    with pytest.raises(InputError):
        run.check_one(str(REPO / "no-such-plan.json"), job(keep=False))
    assert run._LAST_READ == []
