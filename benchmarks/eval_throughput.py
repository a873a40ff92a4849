"""Evaluation throughput: `codetune eval` (lm-eval underneath) against bare transformers loops, side by side.

    python -m benchmarks.eval_throughput [--repeat 6] [--rounds 3] [--batch-size 8] [--max-new-tokens 32]

Workload: the bundled example built with `codetune build`; its `clm` rows (every split) and `instruct` rows
(every split), each repeated `--repeat` times (each `clm` copy opened by a line of its own, so no two windows
are the same), written as the test split of a benchmark dataset folder. Model:
a random Llama (hidden 256, 4 layers, a tokenizer trained here; nothing downloaded).

- Perplexity: tokens scored per second by `codetune eval --tasks perplexity` against a bare loop that
  cuts the same documents into the same non-overlapping windows of the model's length, sorts them by length
  and runs forward passes of `--batch-size` right-padded windows, summing token log-probabilities.
- Generation: samples per second of `codetune eval --tasks syntax` against bare batched greedy
  `model.generate` over the same chat-templated prompts, sorted by length, left-padded, same batch size
  and token budget.

Each side is timed around the work that differs (lm-eval's `simple_evaluate`, or the bare loop), both with
the model already loaded; the end-to-end times (dataset, tasks, model load) are printed as well. Writes
benchmarks/results/eval_throughput.json. The sides alternate for `--rounds` rounds and each keeps its best
time, so load from other processes skews the ratio less. Goal: both ratios >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from codetune.eval.tasks import LOAD_KWARGS

RESULTS = Path(__file__).resolve().parent / "results"


def benchmark_dataset(example_out: Path, folder: Path, repeat: int) -> dict[str, list[dict]]:
    """`clm` and `instruct` rows of every split, repeated, as the test split of a Hub-layout folder."""
    import datasets

    card, rows = ["---", "configs:"], {}
    for config in ("clm", "instruct"):
        selected = []
        for split in ("train", "test"):
            loaded = datasets.load_dataset(str(example_out), config, split=split, **LOAD_KWARGS)
            selected += list(loaded)
        rows[config] = [dict(row, id=f"{row['id']}#{copy}") for copy in range(repeat) for row in selected]
        if config == "clm":  # each copy starts with its own line, so no window repeats another: lm-eval
            # reuses the logits of identical requests in a batch, which would flatter it against the bare loop
            rows[config] = [dict(row, text=f"copy {row['id']}\n{row['text']}") for row in rows[config]]
        path = folder / config / "test-00000-of-00001.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_list(rows[config]).to_parquet(str(path))
        card += [f"- config_name: {config}", "  data_files:", "  - split: test", f"    path: {config}/test-*"]
    (folder / "README.md").write_text("\n".join([*card, "---", ""]))
    return rows


class Timer:
    """Wraps codetune's call into lm-eval to time it apart from dataset, task and model loading; and, inside
    it, lm-eval's environment report (`add_env_info`: `pip list` and friends in subprocesses, once per
    `simple_evaluate`), a fixed cost of lm-eval's that no size of test split changes."""

    def __init__(self):
        import lm_eval.evaluator as evaluator

        import codetune.eval.runner as runner

        self.targets = [(runner, "_evaluate"), (evaluator, "add_env_info")]
        self.originals = [getattr(module, name) for module, name in self.targets]
        self.seconds = {name: 0.0 for _, name in self.targets}

    def _timed(self, name, original):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        return timed

    def __enter__(self):
        for (module, name), original in zip(self.targets, self.originals, strict=True):
            setattr(module, name, self._timed(name, original))
        return self

    def __exit__(self, *exc):
        for (module, name), original in zip(self.targets, self.originals, strict=True):
            setattr(module, name, original)


def codetune_eval(dataset: Path, model: Path, out: Path, family: str, args) -> tuple[float, float, float]:
    """Seconds in lm-eval, seconds end to end, seconds of lm-eval's environment report."""
    from codetune.eval.runner import EvalOptions, run_eval

    options = EvalOptions(
        dataset=str(dataset),
        models=(str(model),),
        out_dir=out,
        families=(family,),
        batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens,
    )
    started = time.perf_counter()
    with Timer() as timer:
        run_eval(options)
    seconds = timer.seconds
    return seconds["_evaluate"], time.perf_counter() - started, seconds["add_env_info"]


def bare_perplexity(model_dir: Path, texts: list[str], batch_size: int) -> tuple[int, float, float]:
    """Scored tokens, seconds of scoring, seconds end to end (with the model load)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    length = model.config.max_position_embeddings
    scoring = time.perf_counter()
    windows = []
    for text in texts:  # lm-eval's rolling windows: the first predicted from BOS, then `length` tokens each
        ids = [tokenizer.bos_token_id, *tokenizer(text, add_special_tokens=False)["input_ids"]]
        windows += [ids[start : start + length + 1] for start in range(0, len(ids) - 1, length)]
    windows.sort(key=len, reverse=True)
    scored = 0
    with torch.no_grad():
        for start in range(0, len(windows), batch_size):
            batch = windows[start : start + batch_size]
            width = max(len(window) for window in batch) - 1
            inputs = torch.full((len(batch), width), tokenizer.pad_token_id)
            targets = torch.full((len(batch), width), -100)
            for row, window in enumerate(batch):
                inputs[row, : len(window) - 1] = torch.tensor(window[:-1])
                targets[row, : len(window) - 1] = torch.tensor(window[1:])
            # padding on the right needs no attention mask under causal attention, and runs faster without
            logits = model(input_ids=inputs).logits
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            chosen = logprobs.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
            float((chosen * (targets != -100)).sum())
            scored += int((targets != -100).sum())
    ended = time.perf_counter()
    return scored, ended - scoring, ended - started


def bare_generation(
    model_dir: Path, prompts: list[str], batch_size: int, new_tokens: int
) -> tuple[float, float]:
    """Seconds of generation, seconds end to end."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    generating = time.perf_counter()
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
        )
        for p in prompts
    ]
    texts.sort(key=len, reverse=True)
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            inputs = tokenizer(texts[start : start + batch_size], return_tensors="pt", padding=True,
                               add_special_tokens=False)  # fmt: skip
            model.generate(
                **inputs, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
    ended = time.perf_counter()
    return ended - generating, ended - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    args = parser.parse_args()

    import torch

    from codetune.build.pipeline import BuildOptions, build
    from codetune.eval.task_functions import instruct_prompt
    from dataset_scripts.example import ECOSYSTEM
    from tests.tiny_models import tiny_llama, train_tokenizer

    torch.set_num_threads(max(1, torch.get_num_threads()))
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        example = build(ECOSYSTEM, BuildOptions(out_dir=root / "out", work_dir=root / "work", progress=False))
        rows = benchmark_dataset(example.out_dir, root / "bench-data", args.repeat)
        tokenizer = train_tokenizer()
        model_dir = root / "model"
        tokenizer.save_pretrained(model_dir)
        tiny_llama(tokenizer, hidden_size=256, layers=4, heads=8).save_pretrained(model_dir)

        texts = [row["text"] for row in rows["clm"]]
        prompts = [instruct_prompt(row) for row in rows["instruct"]]
        times: dict[str, list[tuple[float, ...]]] = {
            key: [] for key in ("ppl", "bare_ppl", "gen", "bare_gen")
        }
        for round_ in range(args.rounds):  # alternate the sides; each keeps its best round
            tokens, *bare = bare_perplexity(model_dir, texts, args.batch_size)
            times["bare_ppl"].append(tuple(bare))
            data = root / "bench-data"
            times["ppl"].append(codetune_eval(data, model_dir, root / f"p{round_}", "perplexity", args))
            times["bare_gen"].append(
                bare_generation(model_dir, prompts, args.batch_size, args.max_new_tokens)
            )
            times["gen"].append(codetune_eval(data, model_dir, root / f"g{round_}", "syntax", args))
        best = {key: min(values) for key, values in times.items()}
        (ours_ppl, ours_ppl_total, env_ppl), (bare_ppl, bare_ppl_total) = best["ppl"], best["bare_ppl"]
        (ours_gen, ours_gen_total, env_gen), (bare_gen, bare_gen_total) = best["gen"], best["bare_gen"]

    result = {
        "documents": len(texts),
        "scored_tokens": tokens,
        "prompts": len(prompts),
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "max_new_tokens": args.max_new_tokens,
        "perplexity_tokens_per_s": {
            "codetune_eval": tokens / ours_ppl,
            "bare_forward_loop": tokens / bare_ppl,
        },
        "perplexity_ratio": bare_ppl / ours_ppl,
        "perplexity_ratio_without_lm_eval_env_report": bare_ppl / (ours_ppl - env_ppl),
        "perplexity_end_to_end_s": {"codetune_eval": ours_ppl_total, "bare_forward_loop": bare_ppl_total},
        "generation_samples_per_s": {
            "codetune_eval": len(prompts) / ours_gen,
            "bare_generate": len(prompts) / bare_gen,
        },
        "generation_ratio": bare_gen / ours_gen,
        "generation_ratio_without_lm_eval_env_report": bare_gen / (ours_gen - env_gen),
        "generation_end_to_end_s": {"codetune_eval": ours_gen_total, "bare_generate": bare_gen_total},
        "lm_eval_env_report_s": {"perplexity": env_ppl, "generation": env_gen},
        # (timed, end to end[, env report]) per round: the spread is the noise
        "every_round_s": times,
        "slowest_over_fastest_round": {key: max(v)[0] / min(v)[0] for key, v in times.items()},
        "machine": {"arch": platform.machine(), "torch_threads": torch.get_num_threads()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval_throughput.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"perplexity: {tokens} tokens of {len(texts)} documents, batch {args.batch_size}")
    print(f"  codetune eval   {tokens / ours_ppl:9.0f} tokens/s  (end to end {ours_ppl_total:.1f} s)")
    print(f"  bare forward    {tokens / bare_ppl:9.0f} tokens/s  (end to end {bare_ppl_total:.1f} s)")
    print(f"  ratio           {bare_ppl / ours_ppl:9.2f}x  (goal >= 0.9)")
    print(f"    without lm-eval's env report ({env_ppl:.1f} s) {bare_ppl / (ours_ppl - env_ppl):.2f}x")
    spread = {key: max(values)[0] / min(values)[0] - 1 for key, values in times.items()}
    print(
        f"  noise: each side's slowest round was {spread['bare_ppl']:.0%} (bare) and {spread['ppl']:.0%} "
        "(codetune eval) slower than its fastest, on the same work"
    )
    print(f"generation: {len(prompts)} prompts, {args.max_new_tokens} new tokens, batch {args.batch_size}")
    print(f"  codetune eval   {len(prompts) / ours_gen:9.2f} samples/s  (end to end {ours_gen_total:.1f} s)")
    print(f"  bare generate   {len(prompts) / bare_gen:9.2f} samples/s  (end to end {bare_gen_total:.1f} s)")
    print(f"  ratio           {bare_gen / ours_gen:9.2f}x  (goal >= 0.9)")
    print(f"    without lm-eval's env report ({env_gen:.1f} s) {bare_gen / (ours_gen - env_gen):.2f}x")
    print(
        f"  noise: each side's slowest round was {spread['bare_gen']:.0%} (bare) and {spread['gen']:.0%} "
        "(codetune eval) slower than its fastest, on the same work"
    )


if __name__ == "__main__":
    main()
