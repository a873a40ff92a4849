"""Run llama.cpp's `convert_hf_to_gguf.py` unchanged, with two run-time adjustments (a subprocess).

`python -m codetune.export.convert_runner CONVERTER_ROOT PRE_TOKENIZER MODEL_DIR [converter options]`

1. An architecture the converter has no class for exits with UNSUPPORTED_EXIT and one line naming the
   supported ones (the converter itself only logs "not supported").
2. PRE_TOKENIZER (may be "") names the llama.cpp pre-tokenizer to use when the converter does not recognise
   the tokenizer's hash (see `converter.pre_tokenizer_fallback`); only that refusal is replaced, in this
   process, so the files on disk stay llama.cpp's own.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path

UNSUPPORTED_EXIT = 3


def _check_architecture(model_dir: Path) -> None:
    import conversion

    architectures = json.loads((model_dir / "config.json").read_text()).get("architectures") or ["?"]
    if architectures[0] not in conversion.TEXT_MODEL_MAP:
        supported = ", ".join(sorted(conversion.TEXT_MODEL_MAP))
        print(f"llama.cpp's converter does not support architecture {architectures[0]} (config.json of "
              f"{model_dir}); supported architectures: {supported}", file=sys.stderr)  # fmt: skip
        sys.exit(UNSUPPORTED_EXIT)


def _map_unknown_pre_tokenizer(name: str) -> None:
    from conversion.base import TextModel

    recognise = TextModel.get_vocab_base_pre

    def get_vocab_base_pre(self, tokenizer) -> str:
        try:
            return recognise(self, tokenizer)
        except NotImplementedError:
            logging.getLogger("codetune").warning("unknown BPE pre-tokenizer hash: using %r", name)
            return name

    TextModel.get_vocab_base_pre = get_vocab_base_pre


def main(argv: list[str]) -> None:
    root, pre_tokenizer, *converter_args = argv
    # gguf-py first: the installed `gguf` may be another version than the converter's.
    sys.path[:0] = [str(Path(root) / "gguf-py"), root]
    _check_architecture(Path(converter_args[0]))
    if pre_tokenizer:
        _map_unknown_pre_tokenizer(pre_tokenizer)
    spec = importlib.util.spec_from_file_location("convert_hf_to_gguf", Path(root) / "convert_hf_to_gguf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.argv = ["convert_hf_to_gguf.py", *converter_args]
    module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
