"""`codetune push-model`: upload an export folder (card, merged model, GGUF files, Modelfile) to the Hub."""

from __future__ import annotations

import re
from pathlib import Path

from codetune.errors import ExportError
from codetune.export.exporter import EXPORT_MARKER


def push_model(
    folder: Path, repo_id: str, private: bool = False, revision: str | None = None, token: str | None = None
) -> str:
    """One commit with the whole folder; the token (`token`, HF_TOKEN or the login) stays in headers."""
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    folder = Path(folder)
    if not (folder / EXPORT_MARKER).is_file() or not (folder / "README.md").is_file():
        raise ExportError(
            f"{folder} holds no codetune export; run `codetune export RUN --out {folder}` first"
        )
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise ExportError(f"the repository must look like 'org/name', got {repo_id!r}")
    if token is None and huggingface_hub.get_token() is None:
        raise ExportError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    api = huggingface_hub.HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="model", branch=revision, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="model",
            folder_path=folder,
            revision=revision,
            ignore_patterns=[EXPORT_MARKER],
            commit_message=f"codetune export {folder.name}",
        )
    except HfHubHTTPError as error:
        raise ExportError(f"the Hub refused the push to {repo_id}: {error}") from None
    return commit.commit_url
