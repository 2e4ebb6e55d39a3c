"""Terraform's file functions (`file`, `templatefile`, `fileexists`, `fileset`, `filebase64`,
the `file*sha*` hashes), relative to the root module and confined to the configuration.

A path outside the configuration (boundary.py) is never read: the call's value is unknown
with the reason "file(...) outside the configuration", and no message quotes the file.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from typing import Any

from tfcheck.hcl.boundary import Boundary
from tfcheck.hcl.budget import Budget, BudgetExceeded, Refused
from tfcheck.hcl.expr import Scope, compile_expr
from tfcheck.hcl.functions.table import FUNCTIONS, Function, catch_unknown, known, shallow
from tfcheck.hcl.template import compile_template_text
from tfcheck.hcl.values import EvalError

_MAX_LISTED = 100_000  # directory entries fileset() may visit


def file_functions(boundary: Boundary, base_dir: str, budget: Budget) -> dict[str, Function]:
    """The file functions of one run; paths are relative to `base_dir` (the root module)."""

    def full(path: str) -> str:
        return os.path.join(base_dir, os.path.expanduser(path))

    def read(name: str) -> Callable[[str], bytes]:
        def run(path: str) -> bytes:
            try:
                return boundary.read_file(full(path), f"{name}(...)")
            except FileNotFoundError:
                raise EvalError(f"no file {path} in the configuration") from None
            except OSError as exc:
                raise EvalError(f"cannot read {path}: {exc.strerror or 'error'}") from None

        return run

    def text(name: str) -> Callable[[str], str]:
        raw = read(name)

        def run(path: str) -> str:
            try:
                return raw(path).decode("utf-8")
            except UnicodeDecodeError:
                raise EvalError(f"{path} is not UTF-8 text (use filebase64)") from None

        return run

    def templatefile(path: str, variables: Any) -> Any:
        render = compile_template_text(text("templatefile")(path), compile_expr)
        if not isinstance(variables, dict):
            raise EvalError("templatefile() variables must be a map")
        return render(Scope(_TemplateContext(FUNCTIONS, budget), variables))

    def fileexists(path: str) -> bool:
        if not boundary.inside(full(path)):
            raise Refused(f"fileexists(...) {_OUTSIDE}")
        return os.path.isfile(full(path))

    def fileset(path: str, pattern: str) -> list[str]:
        directory = full(path)
        if not boundary.inside(directory):
            raise Refused(f"fileset(...) {_OUTSIDE}")
        matcher = _glob(pattern)
        found: list[str] = []
        visited = 0
        for here, dirs, files in os.walk(directory):
            dirs[:] = [d for d in sorted(dirs) if boundary.inside(os.path.join(here, d))]
            visited += len(dirs) + len(files)
            if visited > _MAX_LISTED:
                raise BudgetExceeded(f"fileset(...) over more than {_MAX_LISTED:,} entries")
            for name in files:
                whole = os.path.join(here, name)
                rel = os.path.relpath(whole, directory).replace(os.sep, "/")
                if matcher(rel) and boundary.inside(whole) and os.path.isfile(whole):
                    found.append(rel)
        return sorted(found)

    def digest(name: str, algorithm: str, encode: Callable[[bytes], str]) -> Function:
        raw = read(name)
        return known(name, lambda p: encode(hashlib.new(algorithm, raw(p)).digest()), 1, 1, "s")

    return {
        "file": known("file", text("file"), 1, 1, "s"),
        "filebase64": known(
            "filebase64", lambda p: base64.b64encode(read("filebase64")(p)).decode("ascii"), 1, 1, "s"
        ),
        "fileexists": known("fileexists", fileexists, 1, 1, "s"),
        "fileset": known("fileset", fileset, 2, 2, "ss"),
        "templatefile": catch_unknown(shallow("templatefile", templatefile, 2, 2)),
        "filemd5": digest("filemd5", "md5", bytes.hex),
        "filesha1": digest("filesha1", "sha1", bytes.hex),
        "filesha256": digest("filesha256", "sha256", bytes.hex),
        "filesha512": digest("filesha512", "sha512", bytes.hex),
        "filebase64sha256": digest(
            "filebase64sha256", "sha256", lambda b: base64.b64encode(b).decode("ascii")
        ),
        "filebase64sha512": digest(
            "filebase64sha512", "sha512", lambda b: base64.b64encode(b).decode("ascii")
        ),
    }


_OUTSIDE = "outside the configuration"


def _glob(pattern: str) -> Callable[[str], bool]:
    """fileset()'s pattern (`*`, `**`, `?`, `[...]`, `{a,b}`) as a linear-time RE2 match."""
    import re2  # heavy (a C++ extension): only when a configuration calls fileset()

    out: list[str] = []
    index, depth = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end]
            negate = body.startswith(("!", "^"))
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            index = end
        elif char == "{":
            out.append("(?:")
            depth += 1
        elif char == "}" and depth:
            out.append(")")
            depth -= 1
        elif char == "," and depth:
            out.append("|")
        else:
            out.append(re2.escape(char))
        index += 1
    options = re2.Options()
    options.log_errors = False
    try:
        compiled = re2.compile("^" + "".join(out) + ")" * depth + "$", options)
    except re2.error:
        raise EvalError("fileset: the pattern is not valid") from None
    return lambda path: compiled.search(path) is not None


class _TemplateContext:
    """A templatefile() template sees only its variables and the functions."""

    def __init__(self, functions: dict[str, Function], budget: Budget) -> None:
        self.functions = functions
        self.budget = budget

    def root(self, name: str) -> Any:
        raise EvalError(f'"{name}" is not one of the template\'s variables')
