"""llama-cpp-python's OpenAI server, its echoed prompt logprobs aligned for vocabularies without a BOS.

Workaround for an upstream bug (llama-cpp-python 0.3.36, `Llama._create_completion`; reported in
https://github.com/abetlen/llama-cpp-python/issues/1276): with `echo` and `logprobs` it drops a leading BOS
token from the echo, then pairs the i-th echoed token with row i of the score matrix. Row i is the
distribution after token i. When llama.cpp added that BOS, each token meets the row that predicts it. When
the model adds none (Qwen2.5, StarCoder2, most code models), either nothing is dropped and each token meets
its own position's row (every logprob off by one), or the client's text began with the BOS text (lm-eval's
rolling windows do) and the dropped BOS shifts lm-eval's slice by one token. For models that add no BOS,
`EchoAlignedLlama` echoes every prompt token (no token counts as BOS) and shows the scores with one row
prepended while such a completion runs, so token i meets row i-1. Nothing else changes: sampling reads rows
from the end, the first echoed token's logprob is null either way, and the server is upstream's own
(`llama_cpp.server.__main__.main`), run on this class.

Run as `python -m codetune.export.llama_server` with `llama_cpp.server`'s arguments; `codetune serve` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import llama_cpp
import numpy as np


class EchoAlignedLlama(llama_cpp.Llama):
    """`llama_cpp.Llama` whose echoed prompt logprobs are the model's when llama.cpp adds no BOS."""

    _echo_as_given = False  # an echo+logprobs completion on a model that adds no BOS is running

    @property
    def _scores(self) -> np.ndarray:
        scores = self.scores[: self.n_tokens, :]
        if self._echo_as_given and self.n_tokens:
            return np.concatenate([np.zeros_like(scores[:1]), scores])  # token i meets row i-1
        return scores

    def token_bos(self) -> int:
        return -1 if self._echo_as_given else super().token_bos()  # upstream drops no prompt token

    def _create_completion(self, *args, **kwargs) -> Iterator:
        echoed = kwargs.get("echo") and kwargs.get("logprobs") is not None and not kwargs.get("stream")
        adds_bos = self._model.add_bos_token() and super().token_bos() != -1
        self._echo_as_given = bool(echoed) and not adds_bos
        try:
            yield from super()._create_completion(*args, **kwargs)
        finally:
            self._echo_as_given = False

    def save_state(self):
        """The prompt cache (`--cache`) stores the real scores, never the shifted view."""
        shifted, self._echo_as_given = self._echo_as_given, False
        try:
            return super().save_state()
        finally:
            self._echo_as_given = shifted


def main() -> None:
    """Upstream's server `main`, building `EchoAlignedLlama` where it builds `llama_cpp.Llama`."""
    from llama_cpp.server.__main__ import main as server_main

    llama_cpp.Llama = EchoAlignedLlama  # llama_cpp.server.model reads this name when it loads the model
    server_main()


if __name__ == "__main__":
    main()
