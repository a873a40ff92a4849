"""Training throughput on the CPU: real tokens per second with and without packing.

    python -m benchmarks.train_throughput [--steps 20] [--max-length 512] [--batch-size 4] [--repeats 2]

Runs the continued-pretraining recipe (`recipes/cpt.py`'s flow) on the `clm` config of the bundled example,
built with `codetune build`, with a small random Llama (a tokenizer trained here, nothing downloaded):
with BFD packing (`bfd_split`, padding-free: documents kept apart), with `wrapped` packing (plain causal
blocks: documents see each other) and without packing (one file per row, padded to the batch's longest).
Reports real (non-padding) tokens per second of training (the median of per-step rates, TRL's own token
count over each optimiser step's time), the share of computed positions that are real tokens, and the
packed/unpacked ratio. The runs alternate and each setting keeps its best of `--repeats`, so load from
other processes skews the ratio less. Writes benchmarks/results/train_throughput.json.

On a CPU the padding-free batch is one flat row whose attention (sdpa with a block mask) spans the whole
batch, so each token costs more than in separate rows; GPUs with flash-attention's variable-length kernels
do not pay that. The ratio printed here is the CPU's.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from transformers import TrainerCallback

RESULTS = Path(__file__).resolve().parent / "results"


class StepTimer(TrainerCallback):
    """Times each optimiser step (forward, backward, update) on its own."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.started = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.durations.append(time.perf_counter() - self.started)


def non_padding_fraction(trainer) -> float:
    """Real tokens over computed positions, over one pass of the recipe's own dataloader."""
    real = computed = 0
    for batch in trainer.get_train_dataloader():
        if "attention_mask" in batch:
            real += int(batch["attention_mask"].sum())
        else:  # padding-free: one flat row, every position a token
            real += batch["input_ids"].numel()
        computed += batch["input_ids"].numel()
    return real / computed


def measure(out: Path, model: Path, strategy: str, steps: int, max_length: int, batch_size: int) -> dict:
    """One recipe run; `strategy` is a TRL packing strategy or "none"."""
    import shutil
    import statistics

    from codetune.train.formats import Stage
    from codetune.train.runner import run

    shutil.rmtree(out / f"run-{strategy}", ignore_errors=True)
    args = [
        "--model_name_or_path", str(model), "--output_dir", str(out / f"run-{strategy}"),
        "--dataset_name", str(out / "example"), "--dataset_config", "clm",
        "--max_steps", str(steps), "--per_device_train_batch_size", str(batch_size),
        "--max_length", str(max_length), "--packing", str(strategy != "none").lower(),
        "--packing_strategy", strategy if strategy != "none" else "bfd",
        "--dtype", "float32", "--report_to", "none", "--save_strategy", "no", "--eval_strategy", "no",
        "--logging_steps", "1", "--activation_checkpointing", "false", "--seed", "0",
    ]  # fmt: skip
    timer = StepTimer()
    result = run(Stage.CPT, args, callbacks=[timer])
    # TRL logs the running count of real (non-padding) tokens after every step.
    counts = [entry["num_tokens"] for entry in result.trainer.state.log_history if "num_tokens" in entry]
    per_step = [later - earlier for earlier, later in zip([0, *counts[:-1]], counts, strict=True)]
    rates = [tokens / seconds for tokens, seconds in zip(per_step, timer.durations, strict=True)]
    return {
        "packing": strategy,
        "steps": steps,
        "real_tokens": int(counts[-1]),
        "non_padding_fraction": round(non_padding_fraction(result.trainer), 4),
        "step_seconds_median": round(statistics.median(timer.durations), 4),
        "tokens_per_s": round(statistics.median(rates), 1),  # median of per-step rates: robust to load spikes
        "tokens_per_s_overall": round(counts[-1] / sum(timer.durations), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()

    from codetune.build.pipeline import BuildOptions, build
    from dataset_scripts.example import ECOSYSTEM
    from tests.tiny_models import tiny_llama, train_tokenizer

    with tempfile.TemporaryDirectory(prefix="codetune-train-bench-") as tmp:
        out = Path(tmp)
        build_options = BuildOptions(
            out_dir=out / "example", work_dir=out / "work", cache_dir=out / "cache", progress=False
        )
        build(ECOSYSTEM, build_options)
        tokenizer = train_tokenizer(vocab_size=2000, chat_template=None)
        model = tiny_llama(tokenizer, hidden_size=256, layers=4, heads=8)
        tokenizer.save_pretrained(out / "model")
        model.save_pretrained(out / "model")
        parameters = sum(p.numel() for p in model.parameters())
        strategies = ("wrapped", "none", "bfd_split")
        attempts = [
            measure(out, out / "model", strategy, options.steps, options.max_length, options.batch_size)
            for _ in range(options.repeats)
            for strategy in strategies
        ]
    best = {
        strategy: max((a for a in attempts if a["packing"] == strategy), key=lambda a: a["tokens_per_s"])
        for strategy in strategies
    }
    packed, wrapped, unpacked = best["bfd_split"], best["wrapped"], best["none"]
    runs = [packed, wrapped, unpacked]
    report = {
        "benchmark": "train_throughput",
        "device": "cpu",
        "machine": platform.processor() or platform.machine(),
        "model": {"type": "llama (random)", "parameters": parameters, "vocab": len(tokenizer)},
        "max_length": options.max_length,
        "per_device_train_batch_size": options.batch_size,
        "repeats": options.repeats,
        "runs": runs,
        "packed_over_unpacked_tokens_per_s": round(packed["tokens_per_s"] / unpacked["tokens_per_s"], 2),
        "wrapped_over_unpacked_tokens_per_s": round(wrapped["tokens_per_s"] / unpacked["tokens_per_s"], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "train_throughput.json").write_text(json.dumps(report, indent=2) + "\n")
    for entry in runs:
        print(
            f"packing={entry['packing']:<9}  {entry['tokens_per_s']:>9.1f} tokens/s  "
            f"non-padding {entry['non_padding_fraction']:.3f}  ({entry['real_tokens']} tokens, "
            f"{entry['step_seconds_median']} s per step)"
        )
    print(f"bfd_split / unpacked: {report['packed_over_unpacked_tokens_per_s']}x")
    print(f"wrapped / unpacked: {report['wrapped_over_unpacked_tokens_per_s']}x")


if __name__ == "__main__":
    main()
