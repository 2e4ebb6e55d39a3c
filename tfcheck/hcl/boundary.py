"""Where the configuration ends: the only files HCL evaluation may read.

A pull request can write `file("/etc/passwd")`, link `main.tf` to `/proc/self/environ` or
name a module source `../../..`. Everything tfcheck reads for a configuration (its `.tf`
and `.tfvars` files, module directories, files that `file()` and friends read) must lie,
after resolving symbolic links, below the root module's directory, or below the repository
that holds it (the nearest parent directory with a `.git`) when there is one. It must be a
regular file outside /proc, /dev and /sys, and no larger than the limit. A refusal names
the path as the configuration wrote it, never the content.
"""

from __future__ import annotations

import os
import stat

from tfcheck.hcl.budget import LIMITS, BudgetExceeded, Refused

_SYSTEM = ("/proc", "/dev", "/sys")
OUTSIDE = "outside the configuration"


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git` (a repository's root)."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _below(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


class Boundary:
    """The directory tree a configuration rooted at `root` may read from."""

    __slots__ = ("root", "top")

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.top = repository_root(self.root) or self.root

    def inside(self, path: str) -> bool:
        """True when `path`, links resolved, is below the boundary and not a system tree."""
        real = os.path.realpath(path)
        if any(_below(real, system) for system in _SYSTEM):
            return False
        return _below(real, self.top)

    def regular_file(self, path: str) -> str | None:
        """Why `path` may not be read (None when it may): outside, not a file, too large."""
        if not self.inside(path):
            return OUTSIDE
        try:
            info = os.stat(path)
        except OSError:
            return None  # the read itself reports a missing file
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file"
        return None

    def read_file(self, path: str, what: str, limit: int = LIMITS.file_bytes) -> bytes:
        """The bytes of a file inside the boundary, at most `limit` of them.

        `Refused` ("WHAT outside the configuration") when it lies outside or is no regular
        file, `BudgetExceeded` when it is larger; OSError when it cannot be read.
        """
        why = self.regular_file(path)
        if why is not None:
            raise Refused(f"{what} {why}")
        with open(os.path.realpath(path), "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise BudgetExceeded(f"{what} larger than {limit:,} bytes")
        return data
