"""Local inference speed on a CPU: the q8_0 GGUF under llama.cpp against the merged model under transformers.

    python -m benchmarks.local_inference [--new-tokens 64] [--hidden 512] [--layers 8]

A random Llama (tokenizer trained here on the bundled example, nothing downloaded) is exported with
`codetune export` (llama.cpp's converter and quantizer) to q8_0. Both sides complete the same prompts
greedily, one request at a time, exactly `--new-tokens` tokens each (eos is banned on both sides), one run;
the figure is generated tokens per second of wall time, prompt processing included, as a user waits for
it. Threads: llama.cpp and torch both use every core. Writes benchmarks/results/local_inference.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PROMPTS = (
    "extends CharacterBody2D\n\nfunc jump() -> void:\n",
    "import { engine, Transform } from '@dcl/sdk/ecs'\n\nexport function main() {\n",
    "def build(levels: list[str]) -> int:\n",
    "use near_sdk::near;\n\n#[near(contract_state)]\npub struct Counter {\n",
)


def transformers_rate(model_dir: Path, new_tokens: int) -> float:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    started, generated = time.perf_counter(), 0
    for prompt in PROMPTS:
        inputs = tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            output = model.generate(
                **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False
            )
        generated += output.shape[1] - inputs["input_ids"].shape[1]
    return generated / (time.perf_counter() - started)


def llama_cpp_rate(gguf: Path, new_tokens: int) -> float:
    from llama_cpp import Llama

    llm = Llama(model_path=str(gguf), n_ctx=512, n_threads=os.cpu_count(), verbose=False)
    started, generated = time.perf_counter(), 0
    for prompt in PROMPTS:
        result = llm.create_completion(
            prompt, max_tokens=new_tokens, temperature=0, logit_bias={llm.token_eos(): -1e9}
        )
        generated += result["usage"]["completion_tokens"]
    return generated / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    args = parser.parse_args()

    from codetune.export.exporter import ExportOptions, export_model
    from tests.tiny_models import tiny_llama, train_tokenizer

    with tempfile.TemporaryDirectory() as scratch:
        model_dir = Path(scratch) / "model"
        tokenizer = train_tokenizer(vocab_size=2000)
        model = tiny_llama(tokenizer, hidden_size=args.hidden, layers=args.layers, heads=8)
        tokenizer.save_pretrained(model_dir)
        model.save_pretrained(model_dir)
        parameters = sum(p.numel() for p in model.parameters())
        exported = export_model(ExportOptions(model_dir, Path(scratch) / "bench", gguf_types="q8_0"))
        gguf = exported.gguf_files[0]
        hf = transformers_rate(exported.merged_dir, args.new_tokens)
        llama = llama_cpp_rate(gguf.path, args.new_tokens)
    result = {
        "benchmark": "local_inference",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "model": {"type": "llama (random)", "parameters": parameters, "q8_0_bytes": gguf.size_bytes},
        "prompts": len(PROMPTS),
        "new_tokens_per_prompt": args.new_tokens,
        "transformers_fp32_tokens_per_s": round(hf, 1),
        "llama_cpp_q8_0_tokens_per_s": round(llama, 1),
        "speedup": round(llama / hf, 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "local_inference.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
