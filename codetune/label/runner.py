"""datatrove's `InferenceRunner`, subclassed where it falls short for labelling (NOTES.md measured each gap).

- Its servers are ours (`server.py`): timeouts, tenacity retries, 400 as a counted skip.
- The rollout never raises: a request that still fails after its retries is recorded on the row as
  `failed` with its reason, a 400 as `bad_request`, and the task goes on.
- Every answer is written to the ledger (JSONL, flushed per row) the moment it arrives. Resume is by id and
  request hash from that ledger (`ledger.py`), never by position, and datatrove's chunk checkpoints stay off.
- A progress bar shows rows/s, tokens/s and failures (off when stderr is not a terminal).
"""

from __future__ import annotations

import os
import time
from typing import IO

from datatrove.data import Document
from datatrove.pipeline.inference.run_inference import InferenceConfig, InferenceRunner
from datatrove.pipeline.inference.types import InferenceError, ServerError
from datatrove.pipeline.writers.jsonl import JsonlWriter

from codetune.label.server import BAD_REQUEST_MARKER, SERVERS, RequestPolicy

RESULTS_KEY = "label_results"


async def label_rollout(document: Document, generate) -> dict:
    """One request per prompt; a failure becomes the row's status and reason instead of aborting the task."""
    try:
        result = await generate({"messages": document.metadata["messages"]})
    except (InferenceError, ServerError) as error:
        reason = str(error.error)
        status = "bad_request" if BAD_REQUEST_MARKER in reason else "failed"
        return {"status": status, "reason": reason.removeprefix(f"{BAD_REQUEST_MARKER}: ")[:300]}
    return {
        "status": "ok",
        "text": result.text,
        "finish_reason": result.finish_reason or "",
        "prompt_tokens": int(result.usage.get("prompt_tokens", 0) or 0),
        "completion_tokens": int(result.usage.get("completion_tokens", 0) or 0),
    }


def ledger_entry(self, document: Document) -> dict:
    """What the ledger keeps of a labelled prompt: its id, request hash and the answer (no prompt text)."""
    (result,) = document.metadata[RESULTS_KEY]
    return {"id": document.id, "request_hash": document.metadata["request_hash"], **result}


class LedgerWriter(JsonlWriter):
    """Plain JSONL, flushed after every row: a killed run loses no answer it has received."""

    def __init__(self, folder: str, run_name: str):
        super().__init__(folder, f"{run_name}-${{rank}}.jsonl", compression=None, adapter=ledger_entry)

    def _write(self, document: dict, file_handler: IO, filename: str) -> None:
        super()._write(document, file_handler, filename)
        file_handler.flush()


class LabelRunner(InferenceRunner):
    """`InferenceRunner` with our servers, a never-raising rollout and a progress bar."""

    name = "Label 🏷"

    def __init__(
        self,
        config: InferenceConfig,
        ledger: LedgerWriter,
        policy: RequestPolicy,
        progress_fd: int | None = None,
    ):
        super().__init__(label_rollout, config, ledger, metadata_key=RESULTS_KEY)
        self.policy = policy
        self.progress_fd = progress_fd  # the terminal's stderr while fd 2 goes to the run's console log
        self._bar = None

    def _init_server(self, rank: int):
        server = SERVERS[self.config.server_type](self.config, rank, self.policy)
        server.count = self.stat_update
        return server

    async def _save_document(self, document: Document, output_writer_context, rank, chunk_index, **kwargs):
        (result,) = document.metadata[RESULTS_KEY]
        self.stat_update(f"label_{result['status']}")
        if result["status"] != "ok":
            self.stat_update(
                f"label_{result['status']}/{result['reason'].split(':')[0].split('(')[0].strip()}"
            )
        await super()._save_document(document, output_writer_context, rank, chunk_index, **kwargs)
        self._advance(result)

    def _advance(self, result: dict) -> None:
        if self._bar is None:
            return
        self._tokens += result.get("prompt_tokens", 0) + result.get("completion_tokens", 0)
        self._failures += result["status"] != "ok"
        elapsed = max(time.monotonic() - self._started, 1e-9)
        self._bar.set_postfix(tok_s=f"{self._tokens / elapsed:.0f}", failed=self._failures, refresh=False)
        self._bar.update()

    async def run_async(self, data_gen, rank: int = 0) -> None:
        from tqdm import tqdm

        terminal = self.progress_fd is not None and os.isatty(self.progress_fd)
        stream = os.fdopen(os.dup(self.progress_fd), "w") if terminal else None
        self._bar = tqdm(desc="label", unit="row", file=stream, disable=not terminal, leave=True)
        self._tokens, self._failures, self._started = 0, 0, time.monotonic()
        try:
            await super().run_async(data_gen, rank)
        finally:
            self._bar.close()
            self._bar = None
            if stream is not None:
                stream.close()
