"""Push a finished build to a Hub dataset repository: every config and the card, in one commit."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from codetune.build.card import PLACEHOLDER_REPO
from codetune.errors import CodetuneError


class PushError(CodetuneError):
    """The output folder cannot be pushed, or the Hub refused it; the message says what to do."""


PUSH_EXCLUDE = [".codetune/*", ".codetune/**"]  # build bookkeeping stays local
STALE_SHARDS = ["*.parquet"]  # shards of an earlier push that this build does not have


def push_dataset(
    out_dir: Path, repo_id: str, private: bool = False, revision: str | None = None, token: str | None = None
) -> str:
    """Upload a finished build (every config and the card) to the Hub dataset repo `repo_id` in one commit.

    The token is `token`, else `HF_TOKEN`, else the huggingface_hub login; it goes into request headers
    only. Returns the commit URL.
    """
    out_dir = Path(out_dir)
    info_path = out_dir / ".codetune" / "build.json"
    if not info_path.is_file() or not (out_dir / "README.md").is_file():
        raise PushError(f"{out_dir} holds no codetune build; run `codetune build --out {out_dir}` first")
    info = json.loads(info_path.read_text())
    if not info.get("complete"):
        raise PushError(f"the build in {out_dir} did not finish; run the same `codetune build` again first")
    check_push_target(repo_id, token, PushError)
    card = out_dir / "README.md"
    placeholder = PLACEHOLDER_REPO.format(name=info.get("ecosystem", ""))
    text = card.read_text()
    if f'"{placeholder}"' in text:  # the usage snippets name the repository the card now lives in
        card.write_text(text.replace(f'"{placeholder}"', f'"{repo_id}"'))
    return upload_in_one_commit(
        out_dir,
        repo_id,
        HubTarget("dataset", private, revision, token),
        ignore_patterns=PUSH_EXCLUDE,
        delete_patterns=STALE_SHARDS,
        commit_message=f"codetune build {info.get('fingerprint', '')[:16]}",
        error=PushError,
    )


@dataclass(frozen=True)
class HubTarget:
    """Where a push goes: a repository type, its visibility, an optional branch, and the token to use."""

    repo_type: str
    private: bool = False
    revision: str | None = None
    token: str | None = None  # None: HF_TOKEN or the huggingface_hub login


def check_push_target(repo_id: str, token: str | None, error: type[CodetuneError]) -> None:
    """Refuse before any work a repository id the Hub cannot take, or a push with no token to send."""
    import huggingface_hub

    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise error(f"the repository must look like 'org/name', got {repo_id!r}")
    if token is None and huggingface_hub.get_token() is None:
        raise error("no Hugging Face token: set HF_TOKEN or run `hf auth login`")


def upload_in_one_commit(
    folder: Path,
    repo_id: str,
    target: HubTarget,
    *,
    ignore_patterns: list[str],
    commit_message: str,
    error: type[CodetuneError],
    delete_patterns: list[str] | None = None,
) -> str:
    """Create the repository (and branch) if needed and upload `folder` as one commit; the commit URL.

    Shared by `codetune push` and `codetune push-model`. The token goes into request headers only.
    """
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    api = huggingface_hub.HfApi(token=target.token)
    try:
        api.create_repo(repo_id, repo_type=target.repo_type, private=target.private, exist_ok=True)
        if target.revision:
            api.create_branch(repo_id, repo_type=target.repo_type, branch=target.revision, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type=target.repo_type,
            folder_path=folder,
            revision=target.revision,
            ignore_patterns=ignore_patterns,
            delete_patterns=delete_patterns,
            commit_message=commit_message,
        )
    except HfHubHTTPError as error_from_hub:
        raise error(f"the Hub refused the push to {repo_id}: {error_from_hub}") from None
    return commit.commit_url
