"""Terraform's built-in functions for the HCL evaluator, one table from name to callable.

Functions over collections keep unknown elements where Terraform does (`length`, `concat`,
`values`, ...); the others return an `Unknown` as soon as any argument is not known.
A name missing from the table evaluates to Unknown("unsupported function NAME").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tfcheck.hcl.functions.collections import KNOWN, SHALLOW, UnknownPart, integer
from tfcheck.hcl.functions.strings import STRING_FUNCTIONS, STRING_SIGNATURES, jsonencode
from tfcheck.hcl.values import (
    EvalError,
    finalize,
    is_known,
    materialize,
    number,
    to_number,
    to_string,
    unknown_of,
)
from tfcheck.model import Ref, Unknown

Function = Callable[[list[Any]], Any]


def _arity(name: str, args: list[Any], least: int, most: int | None) -> None:
    if len(args) < least or (most is not None and len(args) > most):
        want = str(least) if least == most else f"{least} or more" if most is None else f"{least} to {most}"
        raise EvalError(f"{name}() takes {want} arguments, not {len(args)}")


def _guard(name: str, impl: Callable[..., Any], args: list[Any]) -> Any:
    try:
        result = impl(*args)
    except EvalError as exc:
        message = str(exc)
        raise EvalError(message if message.startswith(name) else f"{name}: {message}") from None
    except (ValueError, TypeError, ArithmeticError, IndexError, KeyError, RecursionError, MemoryError) as exc:
        raise EvalError(f"{name}: {exc}") from None
    return number(result) if isinstance(result, float) else result


_CONVERT: dict[str, Callable[[Any], Any]] = {"s": to_string, "i": integer, "n": to_number, ".": lambda v: v}


def _convert(args: list[Any], signature: str) -> list[Any]:
    kinds = list(signature.rstrip("*"))
    if signature.endswith("*"):
        kinds += kinds[-1:] * max(len(args) - len(kinds), 0)
    return [_CONVERT[kinds[i]](a) if i < len(kinds) else a for i, a in enumerate(args)]


def known(name: str, impl: Callable[..., Any], least: int, most: int | None, signature: str = "") -> Function:
    """A function whose result is unknown when any argument is not wholly known."""

    def call(args: list[Any]) -> Any:
        _arity(name, args, least, most)
        values = [materialize(a) for a in args]
        if not all(is_known(v) for v in values):
            return unknown_of(*values)
        return _guard(name, impl, _convert(values, signature) if signature else values)

    return call


def shallow(name: str, impl: Callable[..., Any], least: int, most: int | None) -> Function:
    """A function over collections whose elements may stay unknown (or be Refs)."""

    def call(args: list[Any]) -> Any:
        _arity(name, args, least, most)
        values = [materialize(a) for a in args]
        if any(isinstance(v, (Unknown, Ref)) for v in values):
            return unknown_of(*values)
        return _guard(name, impl, values)

    return call


def _jsonencode(args: list[Any]) -> Any:
    """A string when fully known; otherwise the structure, so its known parts survive."""
    _arity("jsonencode", args, 1, 1)
    value = materialize(args[0])
    if isinstance(value, (Unknown, Ref)):
        return unknown_of(value)
    if is_known(value):
        return _guard("jsonencode", jsonencode, [value])
    return finalize(value)


def _jsondecode(args: list[Any]) -> Any:
    value = materialize(args[0]) if len(args) == 1 else None
    if isinstance(value, (list, dict)):  # the structure a partly unknown jsonencode kept
        return value
    return STRINGS["jsondecode"](args)


def _at_apply(name: str) -> Function:
    return lambda args: Unknown(f"{name}() is known only when applied")


def catch_unknown(function: Function) -> Function:
    def call(args: list[Any]) -> Any:
        try:
            return function(args)
        except UnknownPart as exc:
            return exc.value

    return call


STRINGS: dict[str, Function] = {
    name: known(name, impl, least, most, STRING_SIGNATURES.get(name, ""))
    for name, (impl, least, most) in STRING_FUNCTIONS.items()
}

FUNCTIONS: dict[str, Function] = {
    **STRINGS,
    **{
        name: catch_unknown(shallow(name, impl, least, most)) for name, (impl, least, most) in SHALLOW.items()
    },
    **{name: known(name, impl, least, most, sig) for name, (impl, least, most, sig) in KNOWN.items()},
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "basename": known("basename", os.path.basename, 1, 1, "s"),
    "dirname": known("dirname", os.path.dirname, 1, 1, "s"),
    **{name: _at_apply(name) for name in ("timestamp", "uuid", "plantimestamp", "bcrypt")},
}
