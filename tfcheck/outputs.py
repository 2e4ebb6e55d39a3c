"""Report destinations: `--format NAME[:FILE]` specs and atomic file writes (temp file + rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path

from tfcheck.errors import InputError


def parse_formats(
    specs: Iterable[str], known: Collection[str], default: str = "text"
) -> tuple[str | None, list[tuple[str, str]]]:
    """The one format for stdout (None if there is none to print) and the (format, file) pairs.

    With no spec at all stdout gets `default`; with only `NAME:FILE` specs stdout still gets
    `default`, so a terminal or CI log keeps its summary while the files are written.
    Raises ValueError with a user-facing message for an unknown name or two stdout formats.
    """
    stdout: list[str] = []
    files: list[tuple[str, str]] = []
    for spec in specs:
        name, sep, path = spec.partition(":")
        if name not in known:
            raise ValueError(f"unknown format {name!r}; choose from {', '.join(sorted(known))}")
        if sep and not path:
            raise ValueError(f"{spec!r}: no file name after ':'")
        if sep:
            files.append((name, path))
        else:
            stdout.append(name)
    if len(stdout) > 1:
        raise ValueError(
            f"only one format can go to stdout (got {', '.join(stdout)}); "
            "write the others to files with NAME:FILE"
        )
    return (stdout[0] if stdout else default), files


def write_atomic(path: str, text: str) -> None:
    """Write next to the target and rename over it, so readers never see half a report."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(path, f"cannot write the report: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(temp, target)
    except OSError as e:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise InputError(path, f"cannot write the report: {e.strerror or e}") from None
