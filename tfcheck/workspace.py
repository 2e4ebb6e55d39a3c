"""Where a run stands: the repository root above the working directory.

Every surface (CLI, Action, pre-commit, Atlantis) runs somewhere inside a repository, but
not in the same place: the Action and pre-commit at its root, Atlantis in a project's
directory. Settings are looked up from the working directory up to this root, and SARIF
locations are written relative to it, so the same plan gives the same result everywhere.
"""

from __future__ import annotations

from pathlib import Path


def repo_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git` (a directory, or the file
    of a worktree or submodule); None outside a repository."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def upwards(start: Path, stop: Path | None) -> list[Path]:
    """`start` and its parents up to `stop` (included); only `start` when `stop` is not above it."""
    here = start.resolve()
    if stop is None:
        return [here]
    stop = stop.resolve()
    out = [here]
    for directory in here.parents:
        if not (directory == stop or stop in directory.parents):
            break
        out.append(directory)
    return out if here == stop or stop in here.parents else [here]
