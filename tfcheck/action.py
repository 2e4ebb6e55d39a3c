"""The GitHub Action's steps (`action.yml` runs `python -m tfcheck.action STEP`).

`check` runs tfcheck once with every report the Action needs (annotations on stdout,
SARIF, Markdown, JSON), appends the Markdown to $GITHUB_STEP_SUMMARY and writes the step
outputs; `comment` posts the Markdown as one pull-request comment, updated in place on
later runs. The comment to update is found by a hidden marker that names the stack (so each
job of a monorepo matrix keeps its own comment) and must be written by the token's own
identity (`comment-author`, github-actions[bot] by default): a comment anyone else posts with
the marker is never edited. Inputs arrive as INPUT_* environment variables, never spliced
into shell text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tfcheck.cli import main as tfcheck
from tfcheck.formats.escape import workflow_data as _escape

MARKER = "<!-- tfcheck -->"  # what comments of earlier versions start with (one per PR)
DEFAULT_AUTHOR = "github-actions[bot]"  # who GITHUB_TOKEN comments as
COMMENT_LIMIT = 65_536
_EXTENSIONS = {
    "junit": "junit.xml",
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "markdown": "md",
    "github": "github.txt",
}


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if env is None else env
    if args == ["check"]:
        return check_step(environ)
    if args == ["comment"]:
        return comment_step(environ)
    print("usage: python -m tfcheck.action check|comment", file=sys.stderr)
    return 2


# --- check ----------------------------------------------------------------------------------


def check_step(env: Mapping[str, str]) -> int:
    """Run tfcheck; outputs: findings, errors, sarif, markdown, json, exit-code. Always 0:
    the Action's last step exits with tfcheck's code, after the comment is posted."""
    out_dir = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "tfcheck"
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: out_dir / f"tfcheck.{ext}" for name, ext in _EXTENSIONS.items()}
    try:
        argv = check_args(env, files, out_dir)
    except ValueError as e:
        print(f"::error title=tfcheck::{_escape(str(e))}")
        set_outputs(env, {"exit-code": "2", "findings": "0"})
        return 0
    print("tfcheck " + " ".join(argv), flush=True)
    code = tfcheck(argv)
    sys.stdout.flush()
    outputs = {
        "exit-code": str(code),
        "sarif": str(files["sarif"]),
        "markdown": str(files["markdown"]),
        "json": str(files["json"]),
    }
    summary = _summary(files["json"])
    outputs["findings"] = str(summary.get("failed", 0))
    outputs["errors"] = str(summary.get("error", 0))
    set_outputs(env, outputs)
    if files["markdown"].is_file() and env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(files["markdown"].read_text(encoding="utf-8") + "\n")
    return 0


def check_args(env: Mapping[str, str], files: Mapping[str, Path], out_dir: Path) -> list[str]:
    """The `tfcheck check` arguments the inputs ask for (ValueError: inputs that cannot work)."""
    plan, hcl = env.get("INPUT_PLAN", "").strip(), env.get("INPUT_HCL", "").strip()
    if bool(plan) == bool(hcl):
        raise ValueError("set exactly one of the inputs `plan` (a plan file) and `hcl` (a directory)")
    target = json_plan(plan, env, out_dir) if plan else hcl
    argv = ["check", target, "--format", "github"]
    for name in ("sarif", "markdown", "json"):
        argv += ["--format", f"{name}:{files[name]}"]
    for name in split_list(env.get("INPUT_FORMATS", "")):
        if name not in files:
            raise ValueError(f"formats: unknown format {name!r}; choose from {', '.join(sorted(files))}")
        if name not in ("sarif", "markdown", "json", "github"):
            argv += ["--format", f"{name}:{files[name]}"]
    argv += ["--fail-on", env.get("INPUT_FAIL_ON", "").strip() or "error"]
    for directory in split_list(env.get("INPUT_POLICIES", "")):
        argv += ["--policies", directory]
    for flag, key in (
        ("--config", "INPUT_CONFIG"),
        ("--baseline", "INPUT_BASELINE"),
        ("--source", "INPUT_SOURCE"),
        ("--usage", "INPUT_USAGE"),
    ):
        value = env.get(key, "").strip()
        if value:
            argv += [flag, value]
    return argv


def json_plan(plan: str, env: Mapping[str, str], out_dir: Path) -> str:
    """A binary plan (a zip file) becomes JSON with `terraform show -json`, if terraform is here."""
    try:
        with open(plan, "rb") as handle:
            binary = handle.read(2) == b"PK"
    except OSError:
        return plan  # tfcheck itself reports the missing file
    if not binary:
        return plan
    terraform = shutil.which("terraform")
    if terraform is None:
        raise ValueError(
            f"{plan} is a binary plan and terraform is not on PATH; run "
            "`terraform show -json PLAN > plan.json` first, or set up terraform"
        )
    workdir = env.get("INPUT_WORKING_DIRECTORY", "").strip() or "."
    done = subprocess.run(
        [terraform, "show", "-json", os.path.abspath(plan)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(f"terraform show -json {plan} failed: {done.stderr.strip()[:500]}")
    converted = out_dir / "plan.json"
    converted.write_text(done.stdout, encoding="utf-8")
    return str(converted)


def split_list(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text) if part]


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            if "\n" in value:
                delimiter = f"EOF_{secrets.token_hex(8)}"
                handle.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                handle.write(f"{key}={value}\n")


def _summary(path: Path) -> dict[str, Any]:
    try:
        summary = json.loads(path.read_text(encoding="utf-8")).get("summary")
    except (OSError, ValueError, AttributeError):
        return {}
    return summary if isinstance(summary, dict) else {}


# --- comment --------------------------------------------------------------------------------


def comment_step(env: Mapping[str, str]) -> int:
    """Post or update the PR comment; every reason not to is a notice, never a failure."""
    if env.get("INPUT_COMMENT", "").strip().lower() not in ("true", "yes", "1"):
        return 0
    token = env.get("GITHUB_TOKEN", "")
    markdown = Path(env.get("TFCHECK_MARKDOWN") or "-")
    number = pull_number(env.get("GITHUB_EVENT_PATH"))
    repo = env.get("GITHUB_REPOSITORY", "")
    why_not = (
        "no GITHUB_TOKEN (input github-token)"
        if not token
        else "not a pull request event"
        if number is None
        else "no GITHUB_REPOSITORY"
        if not repo
        else "no Markdown report (tfcheck did not finish)"
        if not markdown.is_file()
        else None
    )
    if why_not:
        print(f"::notice title=tfcheck::PR comment skipped: {why_not}")
        return 0
    assert number is not None
    api = env.get("GITHUB_API_URL") or "https://api.github.com"
    marker = stack_marker(env)
    author = env.get("INPUT_COMMENT_AUTHOR", "").strip() or DEFAULT_AUTHOR
    body = comment_body(markdown.read_text(encoding="utf-8"), marker)
    try:
        existing = find_marked(_pages(api, repo, number, token), marker, author)
        request = comment_request(api, repo, number, body, token, existing)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - https API URL
            print(f"tfcheck: PR comment {'updated' if existing else 'posted'} ({response.status})")
    except (urllib.error.URLError, OSError, ValueError) as e:
        print(
            f"::warning title=tfcheck::PR comment failed: {_escape(str(e))} "
            "(the job needs `pull-requests: write`; fork PRs get a read-only token)"
        )
    return 0


def stack_marker(env: Mapping[str, str]) -> str:
    """The hidden first line of this stack's comment: a hash of what the job checks (working
    directory and plan or HCL directory), so each job of a matrix finds only its own."""
    parts = [
        os.path.normpath(env.get(key, "").strip() or ".")
        for key in ("INPUT_WORKING_DIRECTORY", "INPUT_PLAN", "INPUT_HCL")
    ]
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"<!-- tfcheck stack={digest} -->"


def pull_number(event_path: str | None) -> int | None:
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("pull_request", "issue"):
        number = (event.get(key) or {}).get("number") if isinstance(event, dict) else None
        if isinstance(number, int):
            return number
    return None


def comment_body(markdown: str, marker: str = MARKER) -> str:
    body = f"{marker}\n{markdown}"
    if len(body) > COMMENT_LIMIT:
        note = "\n\n_… cut to fit GitHub's comment size limit; see the job summary._\n"
        body = body[: COMMENT_LIMIT - len(note) - 100] + note
    return body


def find_marked(
    comments: Iterable[Mapping[str, Any]], marker: str = MARKER, author: str = DEFAULT_AUTHOR
) -> int | None:
    """The id of the comment this stack's job wrote earlier: its first line is `marker` (or
    the marker of earlier versions, which one stack then takes over) and its author is
    `author`, the token's identity. Anyone can post a comment starting with the marker; only
    tfcheck's own is ever edited."""
    legacy = None
    for comment in comments:
        user = comment.get("user")
        login = user.get("login") if isinstance(user, Mapping) else None
        if not isinstance(login, str) or login.lower() != author.lower():
            continue
        if not isinstance(comment.get("id"), int):
            continue
        first = str(comment.get("body") or "").split("\n", 1)[0].strip()
        if first == marker:
            return int(comment["id"])
        if first == MARKER and legacy is None:
            legacy = int(comment["id"])
    return legacy


def comment_request(
    api: str, repo: str, number: int, body: str, token: str, existing: int | None
) -> urllib.request.Request:
    """POST a new comment, or PATCH the one found before (REST: issues comments)."""
    if existing is None:
        url, method = f"{api}/repos/{repo}/issues/{number}/comments", "POST"
    else:
        url, method = f"{api}/repos/{repo}/issues/comments/{existing}", "PATCH"
    return urllib.request.Request(
        url, data=json.dumps({"body": body}).encode(), method=method, headers=_headers(token)
    )


def list_request(api: str, repo: str, number: int, token: str, page: int) -> urllib.request.Request:
    url = f"{api}/repos/{repo}/issues/{number}/comments?per_page=100&page={page}"
    return urllib.request.Request(url, headers=_headers(token))


def _pages(api: str, repo: str, number: int, token: str) -> Iterable[Mapping[str, Any]]:
    for page in range(1, 51):  # 5,000 comments is plenty
        with urllib.request.urlopen(list_request(api, repo, number, token, page), timeout=30) as r:  # noqa: S310
            batch = json.loads(r.read().decode("utf-8"))
        if not isinstance(batch, list) or not batch:
            return
        yield from (c for c in batch if isinstance(c, dict))


def _headers(token: str) -> dict[str, str]:
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
        "Content-Type": "application/json",
        "User-Agent": "tfcheck-action",
    }


if __name__ == "__main__":
    raise SystemExit(main())
