"""llama-cpp-python's OpenAI server, its echoed prompt logprobs aligned for vocabularies without a BOS.

Workaround for an upstream bug (llama-cpp-python 0.3.36, `Llama._create_completion`; reported in
https://github.com/abetlen/llama-cpp-python/issues/1276): with `echo` and `logprobs` it pairs the i-th
echoed token with row i of the score matrix after dropping a leading BOS. Row i is the distribution after
token i, so with a BOS each token meets the row that predicts it, but without one (Qwen2.5, StarCoder2, most
code models) each token meets its own position's row: every prompt logprob is off by one and bits per byte is
wrong. `EchoAlignedLlama` prepends one row to the scores it shows while such a completion runs, so token i
meets row i-1 again. Nothing else changes: sampling reads rows from the end, the first echoed token's logprob
is null either way, and the server is upstream's own (`llama_cpp.server.__main__.main`), run on this class.

Run as `python -m codetune.export.llama_server` with `llama_cpp.server`'s arguments; `codetune serve` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import llama_cpp
import numpy as np


class EchoAlignedLlama(llama_cpp.Llama):
    """`llama_cpp.Llama` whose echoed prompt logprobs are those of the model when the prompt has no BOS."""

    _echo_without_bos = False

    @property
    def _scores(self) -> np.ndarray:
        scores = self.scores[: self.n_tokens, :]
        if self._echo_without_bos and self.n_tokens and int(self.input_ids[0]) != self.token_bos():
            # upstream drops a leading BOS exactly when the prompt starts with one; no BOS: shift by one row
            return np.concatenate([np.zeros_like(scores[:1]), scores])
        return scores

    def _create_completion(self, *args, **kwargs) -> Iterator:
        echoed = kwargs.get("echo") and kwargs.get("logprobs") is not None and not kwargs.get("stream")
        self._echo_without_bos = bool(echoed)
        try:
            yield from super()._create_completion(*args, **kwargs)
        finally:
            self._echo_without_bos = False

    def save_state(self):
        """The prompt cache (`--cache`) stores the real scores, never the shifted view."""
        shifted, self._echo_without_bos = self._echo_without_bos, False
        try:
            return super().save_state()
        finally:
            self._echo_without_bos = shifted


def main() -> None:
    """Upstream's server `main`, building `EchoAlignedLlama` where it builds `llama_cpp.Llama`."""
    from llama_cpp.server.__main__ import main as server_main

    llama_cpp.Llama = EchoAlignedLlama  # llama_cpp.server.model reads this name when it loads the model
    server_main()


if __name__ == "__main__":
    main()
