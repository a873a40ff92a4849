"""llama.cpp calls that may crash the process (a bad GGUF can abort inside llama.cpp): run as a subprocess.

`python -m codetune.export.llama_worker quantize SRC DST FTYPE` and `... load GGUF` (prints a JSON line).
"""

from __future__ import annotations

import ctypes
import json
import sys


def quantize(source: str, target: str, ftype: int) -> int:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 0  # llama.cpp's default: the hardware's threads
    return llama_cpp.llama_model_quantize(source.encode(), target.encode(), ctypes.byref(params))


def load(path: str) -> dict[str, int]:
    """Load the model and its vocabulary; what a server would do first."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=path, n_ctx=64, n_threads=1, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    summary = {
        "n_vocab": llm.n_vocab(),
        "fim_prefix": llama_cpp.llama_vocab_fim_pre(vocab),
        "fim_suffix": llama_cpp.llama_vocab_fim_suf(vocab),
        "fim_middle": llama_cpp.llama_vocab_fim_mid(vocab),
        "eos": llm.token_eos(),
    }
    llm.close()
    return summary


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "quantize":
        return quantize(args[0], args[1], int(args[2]))
    print(json.dumps(load(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
