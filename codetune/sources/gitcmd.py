"""Running git on untrusted repositories: fixed safety config, scrubbed environment, no prompts, no hooks."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from codetune.errors import SourceError

# Passed with -c on every call; command-line config beats whatever a repository's own config says.
SAFE_CONFIG = (
    "core.hooksPath=/dev/null",  # repository hooks never run
    "core.fsmonitor=false",  # a repository-local fsmonitor is a command git would execute
    "core.quotePath=false",  # non-ASCII paths come out as raw bytes
    "core.untrackedCache=false",
    "protocol.ext.allow=never",  # ext:: URLs run arbitrary commands
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "init.defaultBranch=main",
)

# User transport settings that are kept; every other GIT_* variable (GIT_DIR, GIT_INDEX_FILE,
# GIT_CONFIG_PARAMETERS, ...) could redirect git to other data or config and is dropped.
_KEPT_GIT_VARS = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_ASKPASS",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_HTTP_PROXY_AUTHMETHOD",
    }
)

_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def redact_url(text: str) -> str:
    """Drop user:password@ from every scheme URL in `text`, so tokens never reach messages or logs."""
    return _URL_USERINFO.sub(r"\1", text)


def git_env(ceiling: Path | None = None) -> dict[str, str]:
    """The environment for a git child: C locale, no terminal prompts, no inherited repository settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARS}
    env.update(
        LANG="C",
        LC_ALL="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_OPTIONAL_LOCKS="0",
    )
    if ceiling is not None:
        # Stops discovery at the directory we were given: a parent repository is never picked up.
        env["GIT_CEILING_DIRECTORIES"] = str(ceiling)
    return env


def git_command(
    args: Sequence[str],
    *,
    git_dir: Path | None = None,
    work_tree: Path | None = None,
    config: Sequence[str] = (),
) -> list[str]:
    """argv for one git call on a repository (`git_dir`) or a work tree (`work_tree`)."""
    cmd = ["git"]
    for item in (*SAFE_CONFIG, *config):
        cmd += ["-c", item]
    if git_dir is not None:
        cmd.append(f"--git-dir={git_dir}")
    elif work_tree is not None:
        cmd += ["-C", str(work_tree)]
    return cmd + list(args)


def run_git(
    args: Sequence[str],
    *,
    git_dir: Path | None = None,
    work_tree: Path | None = None,
    config: Sequence[str] = (),
    detach: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run git to completion; the caller checks returncode and words the error for its source.

    `detach` starts git in a new session without a controlling terminal, so ssh cannot prompt either.
    """
    cmd = git_command(args, git_dir=git_dir, work_tree=work_tree, config=config)
    ceiling = work_tree.resolve().parent if work_tree is not None else None
    try:
        return subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=git_env(ceiling),
            start_new_session=detach,
            check=False,
        )
    except FileNotFoundError:
        raise SourceError("git is not installed or not on PATH; install git 2.30 or newer") from None


def popen_git(args: Sequence[str], *, git_dir: Path, stderr: int | object) -> subprocess.Popen[bytes]:
    """A long-running git process (cat-file --batch) with pipes for stdin and stdout."""
    cmd = git_command(args, git_dir=git_dir)
    try:
        return subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=git_env()
        )
    except FileNotFoundError:
        raise SourceError("git is not installed or not on PATH; install git 2.30 or newer") from None


def stderr_text(proc: subprocess.CompletedProcess[bytes], limit: int = 600) -> str:
    """git's complaint, credentials removed, short enough for one error message."""
    text = redact_url(proc.stderr.decode("utf-8", "replace")).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    text = "; ".join(lines) or f"git exited with status {proc.returncode}"
    return text if len(text) <= limit else "..." + text[-limit:]


def check_revision_text(revision: str, source_label: str) -> None:
    """Reject revisions git could read as an option or a refspec before any git call sees them."""
    if not revision:
        raise SourceError(f"source {source_label}: empty revision; give a branch, tag or commit after '@'")
    if revision.startswith("-") or ":" in revision or any(c.isspace() or ord(c) < 32 for c in revision):
        raise SourceError(
            f"source {source_label}: revision {revision!r} is not a valid branch, tag or commit name; "
            "it may not start with '-' or contain ':' or whitespace"
        )
