#!/usr/bin/env python3
"""Run the test suite on every Python the package claims (requires-python up to 3.13).

    python tools/test_pythons.py              # every claimed version found on this machine
    python tools/test_pythons.py 3.10 3.13    # only these
    python tools/test_pythons.py --missing-ok # skip versions not installed instead of failing

Each version gets its own virtualenv under .pythons/<version> (reused between runs) with
`pip install -e '.[test]'`; interpreters are looked up under pyenv, then as python<version> on PATH. Exits 1 when a version fails, 2 when a claimed version is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWEST = 13


def claimed() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'requires-python\s*=\s*">=3\.(\d+)"', text)
    oldest = int(match.group(1)) if match else 10
    return [f"3.{minor}" for minor in range(oldest, NEWEST + 1)]


def interpreter(version: str) -> Path | None:
    """pyenv's build of that version, else python<version> on PATH (pyenv's shims fail for
    versions not selected, so they are skipped)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(pyenv.glob(f"{version}.*"), reverse=True):
        if (candidate / "bin" / "python").is_file():
            return candidate / "bin" / "python"
    found = shutil.which(f"python{version}")
    return Path(found) if found and "shims" not in Path(found).parts else None


def run(version: str, python: Path) -> int:
    env_dir = ROOT / ".pythons" / version
    bindir = env_dir / "bin"
    if not (bindir / "python").is_file():
        subprocess.run([str(python), "-m", "venv", str(env_dir)], check=True)
    install = [str(bindir / "python"), "-m", "pip", "install", "-q", "-e", ".[test]"]
    if subprocess.run(install, cwd=ROOT).returncode:
        return 1
    print(f"== Python {version}: pytest", flush=True)
    return subprocess.run(
        [str(bindir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT
    ).returncode


def main(argv: list[str]) -> int:
    missing_ok = "--missing-ok" in argv
    versions = [a for a in argv if not a.startswith("--")] or claimed()
    results: dict[str, str] = {}
    for version in versions:
        python = interpreter(version)
        if python is None:
            results[version] = "not installed"
            continue
        results[version] = "passed" if run(version, python) == 0 else "FAILED"
    for version, result in results.items():
        print(f"Python {version}: {result}")
    if any(r == "FAILED" for r in results.values()):
        return 1
    if not missing_ok and any(r == "not installed" for r in results.values()):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
