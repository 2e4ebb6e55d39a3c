"""Terraform's string, regex, encoding, hash and IP-network functions over known values.

Each takes plain Python values (the caller has already turned unknown arguments into an
unknown result) and raises `EvalError` where Terraform reports an error.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from tfcheck.hcl.budget import LIMITS, BudgetExceeded, check_string
from tfcheck.hcl.functions.regex import regex, regexall, replace
from tfcheck.hcl.values import (
    EvalError,
    finalize,
    format_float,
    number,
    to_number,
    to_string,
    type_name,
)

_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?(.)", re.S)
_MAX_WIDTH = 10_000


def format_(spec: str, *args: Any) -> str:
    """Go-style `format`: %s %d %f %v %q %t %x %o %b %e %g, width/precision, %[n]s."""
    out: list[str] = []
    position = 0
    cursor = 0
    size = 0
    for match in _VERB.finditer(spec):
        out.append(spec[cursor : match.start()])
        size += len(out[-1])
        check_string(size)  # as the pieces pile up, not once they are joined
        cursor = match.end()
        explicit, flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if explicit:
            position = int(explicit) - 1
        if not 0 <= position < len(args):
            raise EvalError(f"format: not enough arguments for %{verb}")
        out.append(_verb(verb, flags, width, precision, args[position]))
        size += len(out[-1])
        position += 1
    out.append(spec[cursor:])
    return "".join(out)


def _verb(verb: str, flags: str, width: str | None, precision: str | None, value: Any) -> str:
    if (width and int(width) > _MAX_WIDTH) or (precision and int(precision) > _MAX_WIDTH):
        raise EvalError("format: width too large")
    if verb in "sv":
        text = to_string(value) if not isinstance(value, (list, dict)) else jsonencode(value)
        if value is None:
            text = "null"
        if precision is not None:
            text = text[: int(precision)]
    elif verb == "q":
        text = json.dumps(to_string(value), ensure_ascii=False)
    elif verb == "t":
        if not isinstance(value, bool):
            raise EvalError(f"format: %t needs a bool, not a {type_name(value)}")
        text = "true" if value else "false"
    elif verb in "dboxX":
        num = to_number(value)
        if not isinstance(num, int):
            raise EvalError(f"format: %{verb} needs a whole number")
        text = format(num, {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb])
        if "+" in flags and num >= 0:
            text = "+" + text
    elif verb in "feEgG":
        num = float(to_number(value))
        sign = "+" if "+" in flags and num >= 0 else ""
        if verb in "gG" and precision is None:
            text = sign + format_float(num)
        else:
            text = format(num, f"{sign}.{precision if precision is not None else 6}{verb}")
    else:
        raise EvalError(f"format: unsupported verb %{verb}")
    if width:
        fill = "0" if "0" in flags and "-" not in flags and verb not in "sqv" else " "
        text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), fill)
    return text


def formatlist(spec: str, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist: all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    out, size = [], 0
    for i in range(count):
        out.append(format_(spec, *[a[i] if isinstance(a, list) else a for a in args]))
        size += len(out[-1])
        if size > LIMITS.value_chars:
            raise BudgetExceeded(f"formatlist() of more than {LIMITS.value_chars:,} characters")
    return out


def join(separator: str, *lists: Any) -> str:
    if not lists:
        raise EvalError("join needs at least one list")
    items = [to_string(item) for items in lists for item in _as_list(items)]
    check_string(sum(map(len, items)) + len(separator) * max(len(items) - 1, 0))
    return separator.join(items)


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"join: the arguments after the separator must be lists, not a {type_name(value)}")
    return value


def jsonencode(value: Any) -> str:
    """Terraform's encoding: compact, sorted keys, Go's escaping of <, > and &."""
    text = json.dumps(
        finalize(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def jsondecode(text: str) -> Any:
    try:
        return _numbers(json.loads(text))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise EvalError(f"jsondecode: not valid JSON: {exc}") from None


def _numbers(value: Any) -> Any:
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    return value


def split(separator: str, text: str) -> list[str]:
    parts = len(text) if separator == "" else text.count(separator) + 1
    if parts > LIMITS.value_nodes:
        raise BudgetExceeded(f"split() into more than {LIMITS.value_nodes:,} parts")
    return list(text) if separator == "" else text.split(separator)


def substr(text: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(len(text) + offset, 0)
    if offset > len(text):
        raise EvalError("substr: offset is beyond the end of the string")
    return text[offset:] if length < 0 else text[offset : offset + length]


def title(text: str) -> str:
    return re.sub(r"(^|[^\w'])([^\W_])", lambda m: m.group(1) + m.group(2).upper(), text)


def indent(spaces: int, text: str) -> str:
    check_string(len(text) + max(spaces, 0) * text.count("\n"))
    return text.replace("\n", "\n" + " " * spaces)


def chomp(text: str) -> str:
    """Remove trailing newlines (\\n or \\r\\n); a loop, as a regex would be quadratic."""
    end = len(text)
    while end and text[end - 1] == "\n":
        end -= 2 if end > 1 and text[end - 2] == "\r" else 1
    return text[:end]


def trim(text: str, chars: str) -> str:
    return text.strip(chars)


def base64decode(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EvalError(f"base64decode: {exc}") from None


def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError as exc:
        raise EvalError(f'"{prefix}" is not a CIDR prefix: {exc}') from None


def cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    net = _network(prefix)
    length = net.prefixlen + newbits
    if newbits < 0 or length > net.max_prefixlen:
        raise EvalError(f"cidrsubnet: {newbits} more bits do not fit in {prefix}")
    if not 0 <= netnum < 2**newbits:
        raise EvalError(f"cidrsubnet: {netnum} does not fit in {newbits} bits")
    start = int(net.network_address) + (netnum << (net.max_prefixlen - length))
    return f"{type(net.network_address)(start)}/{length}"


def cidrsubnets(prefix: str, *newbits: int) -> list[str]:
    net = _network(prefix)
    out: list[str] = []
    cursor = int(net.network_address)
    end = int(net.broadcast_address)
    for bits in newbits:
        length = net.prefixlen + bits
        if bits < 1 or length > net.max_prefixlen:
            raise EvalError(f"cidrsubnets: {bits} more bits do not fit in {prefix}")
        size = 1 << (net.max_prefixlen - length)
        cursor = (cursor + size - 1) // size * size
        if cursor + size - 1 > end:
            raise EvalError(f"cidrsubnets: not enough room in {prefix}")
        out.append(f"{type(net.network_address)(cursor)}/{length}")
        cursor += size
    return out


def cidrhost(prefix: str, hostnum: int) -> str:
    net = _network(prefix)
    size = net.num_addresses
    index = hostnum + size if hostnum < 0 else hostnum
    if not 0 <= index < size:
        raise EvalError(f"cidrhost: host {hostnum} is not in {prefix}")
    return str(net.network_address + index)


def cidrnetmask(prefix: str) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise EvalError("cidrnetmask: only IPv4 prefixes have a netmask")
    return str(net.netmask)


def _digest(name: str) -> Callable[[str], str]:
    return lambda text: hashlib.new(name, text.encode("utf-8")).hexdigest()


STRING_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    # name: (implementation, least arguments, most arguments or None)
    "format": (format_, 1, None),
    "formatlist": (formatlist, 1, None),
    "join": (join, 2, None),
    "jsonencode": (jsonencode, 1, 1),
    "jsondecode": (jsondecode, 1, 1),
    "regex": (regex, 2, 2),
    "regexall": (regexall, 2, 2),
    "replace": (replace, 3, 3),
    "split": (split, 2, 2),
    "substr": (substr, 3, 3),
    "title": (title, 1, 1),
    "indent": (indent, 2, 2),
    "chomp": (chomp, 1, 1),
    "trim": (trim, 2, 2),
    "lower": (str.lower, 1, 1),
    "upper": (str.upper, 1, 1),
    "trimspace": (str.strip, 1, 1),
    "trimprefix": (str.removeprefix, 2, 2),
    "trimsuffix": (str.removesuffix, 2, 2),
    "startswith": (str.startswith, 2, 2),
    "endswith": (str.endswith, 2, 2),
    "strcontains": (lambda s, sub: sub in s, 2, 2),
    "strrev": (lambda s: s[::-1], 1, 1),
    "base64encode": (lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii"), 1, 1),
    "base64decode": (base64decode, 1, 1),
    "urlencode": (lambda s: urllib.parse.quote_plus(s, safe=""), 1, 1),
    "md5": (_digest("md5"), 1, 1),
    "sha1": (_digest("sha1"), 1, 1),
    "sha256": (_digest("sha256"), 1, 1),
    "sha512": (_digest("sha512"), 1, 1),
    "base64sha256": (lambda s: base64.b64encode(hashlib.sha256(s.encode()).digest()).decode(), 1, 1),
    "cidrsubnet": (cidrsubnet, 3, 3),
    "cidrsubnets": (cidrsubnets, 1, None),
    "cidrhost": (cidrhost, 2, 2),
    "cidrnetmask": (cidrnetmask, 1, 1),
}

# Argument kinds the caller converts to: "s" string, "i" whole number, "." anything;
# a trailing "*" repeats the kind before it for the remaining arguments.
STRING_SIGNATURES: dict[str, str] = {
    "format": "s.*",
    "formatlist": "s.*",
    "join": "s.*",
    "regex": "ss",
    "regexall": "ss",
    "replace": "sss",
    "split": "ss",
    "substr": "sii",
    "title": "s",
    "indent": "is",
    "chomp": "s",
    "trim": "ss",
    "lower": "s",
    "upper": "s",
    "trimspace": "s",
    "trimprefix": "ss",
    "trimsuffix": "ss",
    "startswith": "ss",
    "endswith": "ss",
    "strcontains": "ss",
    "strrev": "s",
    "base64encode": "s",
    "base64decode": "s",
    "urlencode": "s",
    "md5": "s",
    "sha1": "s",
    "sha256": "s",
    "sha512": "s",
    "base64sha256": "s",
    "cidrsubnet": "sii",
    "cidrsubnets": "si*",
    "cidrhost": "si",
    "cidrnetmask": "s",
    "jsondecode": "s",
    "jsonencode": ".",
}
