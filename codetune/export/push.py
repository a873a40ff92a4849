"""`codetune push-model`: upload an export folder (card, merged model, GGUF files, Modelfile) to the Hub."""

from __future__ import annotations

from pathlib import Path

from codetune.errors import ExportError
from codetune.export.exporter import EXPORT_MARKER
from codetune.hub.push import HubTarget, check_push_target, upload_in_one_commit


def push_model(
    folder: Path, repo_id: str, private: bool = False, revision: str | None = None, token: str | None = None
) -> str:
    """One commit with the whole folder; the token (`token`, HF_TOKEN or the login) stays in headers."""
    folder = Path(folder)
    if not (folder / EXPORT_MARKER).is_file() or not (folder / "README.md").is_file():
        raise ExportError(
            f"{folder} holds no codetune export; run `codetune export RUN --out {folder}` first"
        )
    check_push_target(repo_id, token, ExportError)
    return upload_in_one_commit(
        folder,
        repo_id,
        HubTarget("model", private, revision, token),
        ignore_patterns=[EXPORT_MARKER],
        commit_message=f"codetune export {folder.name}",
        error=ExportError,
    )
