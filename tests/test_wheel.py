"""The built distribution works on its own: sdist → wheel → a fresh virtualenv → the demo.

The rest of the suite runs from the source tree, where policies/, the JSON pack, the schemas
and the price table are found next to the code; this test proves the wheel carries them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import tfcheck
from tfcheck.project import HOMEPAGE

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _run(*args: str | Path, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode in ok, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build sdist and wheel (the wheel from the sdist), install the wheel into a new venv."""
    work = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "build", "--outdir", work / "dist", ROOT, cwd=work)
    wheels = list((work / "dist").glob("tfcheck-*.whl"))
    assert len(wheels) == 1 and list((work / "dist").glob("tfcheck-*.tar.gz"))
    venv.create(work / "venv", with_pip=True)
    bindir = work / "venv" / "bin"
    _run(bindir / "python", "-m", "pip", "install", "-q", wheels[0], cwd=work)
    return bindir


def test_wheel_carries_the_data_files(installed: Path) -> None:
    wheel = next((installed.parent.parent / "dist").glob("tfcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    policies = {p.name for p in (ROOT / "policies").glob("*.yaml")}
    assert {f"tfcheck/policies/{name}" for name in policies} <= names
    for data in (
        "tfcheck/policy/builtin.json",
        "tfcheck/policy/schema.json",
        "tfcheck/graph/schema.json",
        "tfcheck/cost/prices.json",
        "tfcheck/py.typed",
    ):
        assert data in names, data
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_demo_runs_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _run(installed / "python", "-c", "import tfcheck; print(tfcheck.__file__)", cwd=tmp_path)
    assert str(installed.parent) in where.stdout  # the wheel's copy, not the source tree
    demo = ROOT / "fixtures" / "demo" / "plan.json"
    done = _run(installed / "tfcheck", "check", demo, "--format", "json", cwd=tmp_path, ok=(1,))
    report = json.loads(done.stdout)
    assert {f["rule_id"] for f in report["findings"]} >= {"VPCE020"}
    assert _run(installed / "tfcheck", "--version", cwd=tmp_path).stdout.split()[-1] == tfcheck.__version__


def test_rules_explain_and_test_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    rules = _run(installed / "tfcheck", "rules", cwd=tmp_path).stdout
    assert all(p.stem in rules for p in (ROOT / "policies").glob("*.yaml"))
    explained = _run(installed / "tfcheck", "explain", "VPCE020", cwd=tmp_path).stdout
    assert "VPCE020" in explained
    cases = _run(installed / "tfcheck", "test", ROOT / "examples" / "policies", cwd=tmp_path)
    assert "4 cases, 0 failed" in cases.stdout
    cost = _run(
        installed / "tfcheck",
        "cost",
        ROOT / "fixtures" / "demo" / "plan.json",
        "--format",
        "json",
        cwd=tmp_path,
        ok=(0, 1),
    )
    assert json.loads(cost.stdout)["plans"]  # prices.json found


def test_metadata_matches_the_project() -> None:
    assert PYPROJECT["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["urls"]["Homepage"] == HOMEPAGE
    oldest = int(PYPROJECT["requires-python"].removeprefix(">=3."))
    claimed = {
        c.rsplit(":: ", 1)[1]
        for c in PYPROJECT["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    }
    assert claimed == {f"3.{minor}" for minor in range(oldest, 14)}


def test_every_package_is_listed() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tfcheck").rglob("__init__.py")}
    assert listed == found | {"tfcheck.policies"}
