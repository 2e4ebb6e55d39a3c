"""tfcheck.hcl.parse: .tf files into raw blocks with file, line and comments; syntax errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tfcheck.errors import InputError
from tfcheck.hcl.parse import (
    load_module_dir,
    parse_text,
    parse_tfvars,
    static_string,
    traversal_text,
)

TEXT = textwrap.dedent("""\
    # header comment, separated by a blank line

    # tfcheck:ignore VPCE002 shared route tables
    // second line
    resource "aws_vpc_endpoint" "s3" { # on the block line
      for_each = toset(["a"])
      in       = 1
      route {
        cidr_block = "0.0.0.0/0"
      }
      route {
        cidr_block = "::/0"
      }
    } # trailing, not above the next block
    module net {
      source = "./net"
    }
""")


def test_blocks_labels_lines_and_comments() -> None:
    blocks, attributes = parse_text(TEXT, "main.tf")
    assert attributes == {}
    endpoint, module = blocks
    assert (endpoint.type, endpoint.labels, endpoint.file, endpoint.line) == (
        "resource",
        ("aws_vpc_endpoint", "s3"),
        "main.tf",
        5,
    )
    assert endpoint.comments == (
        "# tfcheck:ignore VPCE002 shared route tables",
        "// second line",
        "# on the block line",
    )
    assert sorted(endpoint.attributes) == ["for_each", "in"]
    assert endpoint.attributes["in"].line == 7
    assert [b.type for b in endpoint.blocks] == ["route", "route"]
    assert endpoint.blocks[1].line == 11
    assert (module.labels, module.line, module.comments) == (("net",), 15, ())
    assert static_string(module.attributes["source"].expr) == "./net"


def test_crlf_and_heredoc_lines() -> None:
    text = 'locals {\r\n  a = <<EOT\r\nx\r\nEOT\r\n  b = 1\r\n}\r\nresource "x" "y" {}\r\n'
    blocks, _ = parse_text(text, "crlf.tf")
    assert blocks[0].attributes["b"].line == 5
    assert blocks[1].line == 7


def test_provider_traversals() -> None:
    blocks, _ = parse_text('resource "x" "y" {\n  provider = aws.west\n}\n', "m.tf")
    assert traversal_text(blocks[0].attributes["provider"].expr) == "aws.west"
    assert static_string(blocks[0].attributes["provider"].expr) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ('a = "abc', "line 1, column 6: unexpected end of file; expected one of a quote"),
        (
            'resource "a" "b" {\n  x = [1, 2\n}\n',
            'line 3, column 1: unexpected \'}\'; expected one of ",", a newline, "]".',
        ),
        ("x = 1 +", "line 1, column 8: unexpected end of file; expected an expression."),
        ("x = [for a in b : a...]", "line 1, column 20: unexpected '...'; expected one of"),
        ("resource {", 'line 1, column 11: unexpected end of file; expected "}".'),
        ("x = 1\nx = 2\n", 'line 2: the argument "x" was already set on line 1'),
        ("\x00", "line 1, column 1: unexpected"),
    ],
)
def test_syntax_errors_name_line_and_expectation(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_text(text, "bad.tf")
    assert caught.value.path == "bad.tf"
    assert caught.value.message.startswith(message)


def test_module_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Terraform .tf files"):
        load_module_dir(str(tmp_path), str(tmp_path))
    (tmp_path / "main.tf").write_text('name = "x"\n')
    with pytest.raises(InputError) as caught:
        load_module_dir(str(tmp_path), str(tmp_path))
    assert caught.value.path == "main.tf"
    assert 'argument named "name" is not expected at the top level' in caught.value.message
    (tmp_path / "main.tf").write_bytes(b'x = "\xff"\n')
    with pytest.raises(InputError, match="cannot read the file"):
        load_module_dir(str(tmp_path), str(tmp_path))


def test_override_files_merge_last(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""\
        resource "aws_vpc" "v" {
          cidr_block = "10.0.0.0/16"
          tags       = { a = 1 }
          lifecycle { prevent_destroy = true }
        }
        locals {
          x = 1
          y = 2
        }
    """)
    )
    (tmp_path / "z_override.tf").write_text(
        textwrap.dedent("""\
        resource "aws_vpc" "v" {
          cidr_block = "10.1.0.0/16"
          lifecycle { create_before_destroy = true }
        }
        locals { y = 3 }
    """)
    )
    vpc, local = load_module_dir(str(tmp_path), str(tmp_path))
    assert static_string(vpc.attributes["cidr_block"].expr) == "10.1.0.0/16"
    assert vpc.attributes["cidr_block"].file == "z_override.tf"
    assert "tags" in vpc.attributes
    assert [list(b.attributes) for b in vpc.blocks] == [["create_before_destroy"]]
    assert local.attributes["y"].file == "z_override.tf"
    assert local.attributes["x"].file == "main.tf"


def test_tfvars_hold_only_assignments(tmp_path: Path) -> None:
    path = tmp_path / "x.tfvars"
    path.write_text('a = 1\nb = "two"\n')
    assert sorted(parse_tfvars(str(path), "x.tfvars")) == ["a", "b"]
    path.write_text('a = 1\nvariable "b" {}\n')
    with pytest.raises(InputError, match="line 2: a .tfvars file holds only"):
        parse_tfvars(str(path), "x.tfvars")
