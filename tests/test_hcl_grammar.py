"""The HCL grammar is python-hcl2's, loaded without python-hcl2's package: that package
imports its whole API (builder, deserializer, reconstructor, rule classes) for a grammar
file and a post-lexer, 15-17 ms over Lark's own import in every plan + source run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tfcheck.hcl import grammar, parse


def test_parsing_a_file_never_imports_the_hcl2_package() -> None:
    code = (
        "import sys\n"
        "from tfcheck.hcl.parse import parse_text\n"
        'blocks, _ = parse_text(\'resource "aws_vpc" "a" {\\n  cidr_block = "10.0.0.0/16"\\n}\\n\', \'main.tf\')\n'
        "assert blocks[0].labels == ('aws_vpc', 'a'), blocks\n"
        "print(sorted(m for m in sys.modules if m == 'hcl2' or m.startswith('hcl2.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_post_lexer_is_python_hcl2s_own() -> None:
    spec = importlib.util.find_spec("hcl2")
    assert spec is not None and spec.origin is not None
    post_lexer = grammar.parser().options.postlex
    where = type(post_lexer).process.__code__.co_filename
    assert where == os.path.join(os.path.dirname(spec.origin), "postlexer.py")
    assert grammar.parser().options.propagate_positions is False


def test_a_python_hcl2_laid_out_otherwise_falls_back_to_its_own_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hcl2.parser

    own = object()
    monkeypatch.setattr(grammar, "_hcl2_directory", lambda: str(tmp_path))  # no grammar, no post-lexer
    monkeypatch.setattr(hcl2.parser, "parser", lambda: own)
    grammar.parser.cache_clear()
    try:
        assert grammar.parser() is own
    finally:
        grammar.parser.cache_clear()


def test_the_cache_is_named_by_the_grammar_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two python-hcl2 releases with different grammars never read each other's cache."""
    names: list[str] = []

    def recording(name: str) -> Any:
        names.append(name)
        return None  # no safe place: built in memory, so the test writes nothing

    monkeypatch.setattr(grammar, "private_file", recording)
    package = grammar._hcl2_directory()
    copy = tmp_path / "hcl2"
    copy.mkdir()
    (copy / "postlexer.py").write_text(Path(package, "postlexer.py").read_text())
    text = Path(package, "hcl2.lark").read_text()
    for variant in (text, text + "\n// another release\n"):
        (copy / "hcl2.lark").write_text(variant)
        monkeypatch.setattr(grammar, "_hcl2_directory", lambda: str(copy))
        grammar.parser.cache_clear()
        try:
            assert parse.parse_text("a = 1\n", "main.tf")[1]["a"].line == 1
        finally:
            grammar.parser.cache_clear()
    assert len(names) == 2 and names[0] != names[1] and all(n.startswith("hcl2-") for n in names)
