"""python-hcl2's HCL grammar as a Lark parser: built once per machine, kept where only this
user can write, and loaded without python-hcl2's own package (parse.py is its one user)."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from typing import Any

from tfcheck.user_cache import private_file


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """python-hcl2's own grammar and post-lexer, without Lark's position propagation.

    hcl2.parses_to_tree() asks Lark to copy positions onto every tree node, which is half
    of its parse time; tokens keep their line numbers anyway, and those are all we read.
    Building the grammar takes ~2 s, so Lark keeps it in a cache file, which it reads back
    with pickle: that file must be one no other user can write (tfcheck/user_cache.py),
    never Lark's default in the shared temp directory. Should python-hcl2 ever move its
    grammar or post-lexer, its own parser is used as it is.
    """
    try:
        from lark import Lark
        from lark import __version__ as lark_version

        package = _hcl2_directory()
        grammar = os.path.join(package, "hcl2.lark")
        with open(grammar, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:16]
        name = f"hcl2-{digest}-lark-{lark_version}.cache"  # one per grammar: versions never share
        cache = private_file(name)
        parser = Lark.open(
            grammar,
            parser="lalr",
            propagate_positions=False,
            postlex=_post_lexer(package),
            cache=cache or False,
        )
        if cache is not None:
            try:
                os.chmod(cache, 0o600)  # written under the umask: a group-writable one is refused
            except OSError:
                pass  # Lark could not write it (it says nothing): the parser built is as good
        return parser
    except Exception:  # noqa: BLE001 - any trouble here means: use the public API
        import hcl2

        return hcl2.parser.parser()


def _hcl2_directory() -> str:
    """Where python-hcl2 is installed, found as an import would find it, without importing it:
    its package imports its whole API (builder, deserializer, reconstructor, formatter, rule
    classes), 15-17 ms over Lark's own import, for a grammar file and a post-lexer."""
    spec = importlib.util.find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-hcl2 is not installed as a package")
    return str(list(spec.submodule_search_locations)[0])


def _post_lexer(package: str) -> Any:
    """python-hcl2's PostLexer, from its own module file (which imports only Lark)."""
    spec = importlib.util.spec_from_file_location(
        "tfcheck.hcl._hcl2_postlexer", os.path.join(package, "postlexer.py")
    )
    if spec is None or spec.loader is None:
        raise ImportError("python-hcl2 has no postlexer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PostLexer()
