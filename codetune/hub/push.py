"""Push a finished build to a Hub dataset repository: every config and the card, in one commit."""

from __future__ import annotations

import json
import re
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
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    out_dir = Path(out_dir)
    info_path = out_dir / ".codetune" / "build.json"
    if not info_path.is_file() or not (out_dir / "README.md").is_file():
        raise PushError(f"{out_dir} holds no codetune build; run `codetune build --out {out_dir}` first")
    info = json.loads(info_path.read_text())
    if not info.get("complete"):
        raise PushError(f"the build in {out_dir} did not finish; run the same `codetune build` again first")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise PushError(f"--repo must look like 'org/name', got {repo_id!r}")
    if token is None and huggingface_hub.get_token() is None:
        raise PushError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    card = out_dir / "README.md"
    placeholder = PLACEHOLDER_REPO.format(name=info.get("ecosystem", ""))
    text = card.read_text()
    if f'"{placeholder}"' in text:  # the usage snippets name the repository the card now lives in
        card.write_text(text.replace(f'"{placeholder}"', f'"{repo_id}"'))
    api = huggingface_hub.HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=out_dir,
            revision=revision,
            ignore_patterns=PUSH_EXCLUDE,
            delete_patterns=STALE_SHARDS,
            commit_message=f"codetune build {info.get('fingerprint', '')[:16]}",
        )
    except HfHubHTTPError as error:
        raise PushError(f"the Hub refused the push to {repo_id}: {error}") from None
    return commit.commit_url
