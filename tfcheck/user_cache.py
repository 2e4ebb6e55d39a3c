"""Where tfcheck keeps files between runs: `$XDG_CACHE_HOME/tfcheck`, else `~/.cache/tfcheck`.

Two things live there: markers of user files already found schema-valid (`validated/`), and
Lark's build of the HCL grammar (two seconds to build, read back with pickle). A file that
is unpickled runs code, so it is used only where no other user can write it; never in the
shared temp directory, Lark's own default. TFCHECK_NO_CACHE=1 turns the markers off (every
file is then validated again); the grammar is no user's data and stays cached.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path


def cache_root(env: Mapping[str, str] | None = None) -> Path | None:
    """The cache directory (not made here), or None when there is no home to put it in."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "tfcheck" if root.is_absolute() else None


def private_file(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """A path for `name` in the cache directory, made 0700 if missing; None when no such
    place is safe: the directory, and the file if it exists, must be this user's, writable
    by no one else, and not links. None too where there is no owner to check (Windows)."""
    getuid = getattr(os, "getuid", None)
    root = cache_root(env)
    if getuid is None or root is None:
        return None
    path = root / name
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for place, kind in ((root, stat.S_ISDIR), (path, stat.S_ISREG)):
            try:
                found = os.lstat(place)
            except FileNotFoundError:
                continue  # the file: written later, inside a directory only this user can write
            if not kind(found.st_mode) or found.st_uid != getuid() or found.st_mode & 0o022:
                return None
    except OSError:
        return None
    return str(path)
