"""The cache directory: markers and the HCL grammar, never where another user could write.

Lark reads its cached grammar back with pickle, so a cache file another user can write
would run their code: tfcheck's is in the user's own cache directory, checked each time.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tfcheck.hcl import grammar, parse
from tfcheck.user_cache import cache_root, private_file

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")


def test_the_root_follows_xdg_then_home(tmp_path: Path) -> None:
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "tfcheck"
    assert cache_root({"XDG_CACHE_HOME": ""}) == Path.home() / ".cache" / "tfcheck"
    assert cache_root({"XDG_CACHE_HOME": "relative/dir"}) is None  # as the XDG spec says
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path), "TFCHECK_NO_CACHE": "1"}) == tmp_path / "tfcheck"


def test_a_private_file_is_made_in_a_directory_only_this_user_can_write(tmp_path: Path) -> None:
    path = private_file("g.cache", {"XDG_CACHE_HOME": str(tmp_path)})
    assert path == str(tmp_path / "tfcheck" / "g.cache")
    mode = os.lstat(tmp_path / "tfcheck").st_mode
    assert stat.S_ISDIR(mode) and mode & 0o077 == 0


def _file(path: Path, mode: int) -> None:
    path.write_bytes(b"x")
    path.chmod(mode)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.chmod(0o777),  # a directory others can write into
        lambda d: d.chmod(0o770),
        lambda d: _file(d / "g.cache", 0o666),
        lambda d: _file(d / "g.cache", 0o620),
        lambda d: (d / "g.cache").symlink_to(d / "elsewhere"),  # a link, dangling or not
        lambda d: (d / "g.cache").mkdir(),
    ],
    ids=["dir-777", "dir-770", "file-666", "file-620", "file-link", "file-dir"],
)
def test_no_cache_where_another_user_could_write(tmp_path: Path, spoil: Any) -> None:
    directory = tmp_path / "tfcheck"
    directory.mkdir(mode=0o700)
    spoil(directory)
    assert private_file("g.cache", {"XDG_CACHE_HOME": str(tmp_path)}) is None


def test_a_linked_cache_directory_is_not_used(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "tfcheck").symlink_to(real)
    assert private_file("g.cache", {"XDG_CACHE_HOME": str(tmp_path / "xdg")}) is None


def test_an_unwritable_home_means_no_cache(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert private_file("g.cache", {"XDG_CACHE_HOME": str(tmp_path / "file")}) is None


def test_the_grammar_cache_is_the_private_file_never_the_temp_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lark

    seen: list[Any] = []
    real_open = lark.Lark.open

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("cache"))
        return real_open(*args, **kwargs)

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(lark.Lark, "open", recording)
    grammar.parser.cache_clear()
    try:
        parse.parse_text('resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\n', "main.tf")
    finally:
        grammar.parser.cache_clear()
    (cache,) = seen
    assert isinstance(cache, str) and cache.startswith(str(tmp_path / "tfcheck") + os.sep)
    assert os.stat(cache).st_mode & 0o077 == 0  # written, then kept this user's alone


def test_with_no_safe_place_the_grammar_is_built_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lark

    seen: list[Any] = []
    real_open = lark.Lark.open
    (tmp_path / "tfcheck").mkdir(mode=0o777)
    (tmp_path / "tfcheck").chmod(0o777)  # another user could plant a file in it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(lark.Lark, "open", lambda *a, **k: seen.append(k.get("cache")) or real_open(*a, **k))
    grammar.parser.cache_clear()
    try:
        grammar.parser()
    finally:
        grammar.parser.cache_clear()
    assert seen == [False] and list((tmp_path / "tfcheck").iterdir()) == []


def test_a_cache_lark_could_not_write_keeps_the_parser_it_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lark swallows a failed write; building the grammar a second time (python-hcl2's own
    parser, ~2 s more, and positions on every node) would be the wrong answer to it."""
    import lark

    built: list[Any] = []
    real_open = lark.Lark.open
    monkeypatch.setattr(grammar, "private_file", lambda name: str(tmp_path / "gone" / name))
    monkeypatch.setattr(lark.Lark, "open", lambda *a, **k: built.append(a) or real_open(*a, **k))
    grammar.parser.cache_clear()
    try:
        parser = grammar.parser()
    finally:
        grammar.parser.cache_clear()
    assert len(built) == 1 and parser.options.propagate_positions is False
    assert not (tmp_path / "gone").exists()
