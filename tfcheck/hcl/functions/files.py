"""Terraform's file functions: `file`, `fileexists`, `templatefile`, relative to the root module."""
from __future__ import annotations

import os
from typing import Any

from tfcheck.hcl.expr import Scope, compile_expr
from tfcheck.hcl.functions.table import FUNCTIONS, Function, catch_unknown, known, shallow
from tfcheck.hcl.template import compile_template_text
from tfcheck.hcl.values import EvalError


def file_functions(base_dir: str) -> dict[str, Function]:
    """file(), fileexists(), templatefile(): read files relative to the root module directory."""
    def read(path: str) -> str:
        full = os.path.join(base_dir, os.path.expanduser(path))
        try:
            with open(full, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise EvalError(f"cannot read {path}: {exc}") from None

    def templatefile(path: str, variables: Any) -> Any:
        render = compile_template_text(read(path), compile_expr)
        if not isinstance(variables, dict):
            raise EvalError("templatefile() variables must be a map")
        return render(Scope(_TemplateContext(FUNCTIONS), variables))

    return {
        "file": known("file", read, 1, 1, "s"),
        "fileexists": known("fileexists", lambda p: os.path.isfile(os.path.join(base_dir, p)),
                            1, 1, "s"),
        "templatefile": catch_unknown(shallow("templatefile", templatefile, 2, 2)),
    }


class _TemplateContext:
    """A templatefile() template sees only its variables and the functions."""

    def __init__(self, functions: dict[str, Function]) -> None:
        self.functions = functions

    def root(self, name: str) -> Any:
        raise EvalError(f'"{name}" is not one of the template\'s variables')
