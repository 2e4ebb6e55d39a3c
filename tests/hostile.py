"""Running tfcheck as a CI job would on a hostile pull request: a subprocess with a time
limit and a 2 GB address-space limit, and the checks every such run must pass."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

TIMEOUT = 30  # seconds; every case here ends in well under 5 when tfcheck is bounded
MEMORY = 2 * 1024**3
# A line the Actions runner reads as a workflow command: `::name ...::` after any
# leading whitespace, or the older `##[name]`.
COMMAND_LINE = re.compile(r"^\s*(::|##\[)")
OWN_COMMAND = re.compile(r"^::(error|warning|notice)( [^:\n]*)?::")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _limits_no_stdin() -> None:
    _limits()
    os.close(0)  # as `tfcheck ... <&-` does


def run(
    args: list[str], cwd: Path, *, close_stdin: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m tfcheck ARGS` in `cwd`, bounded; asserts the run ended as tfcheck promises:
    exit 0, 1 or 2, no internal error, no traceback."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "tfcheck", *args],
        cwd=cwd,
        check=False,
        stdin=None if close_stdin else subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limits_no_stdin if close_stdin else _limits,
        env=full_env,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), f"exit {done.returncode}: {err[-2000:]}"
    assert "internal error" not in err and "Traceback" not in err, err[-2000:]
    return done


def error_line(done: subprocess.CompletedProcess[bytes]) -> str:
    """The one-paragraph error of an exit-2 run."""
    assert done.returncode == 2, done.stdout[-2000:]
    lines = done.stderr.decode("utf-8", "replace").splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfcheck: error: "), lines
    return lines[0]


def injected_lines(text: str) -> list[str]:
    """Lines the runner would take for a workflow command."""
    return [line for line in text.splitlines() if COMMAND_LINE.match(line)]
