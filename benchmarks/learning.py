"""Evaluation sees learning: every metric of `codetune eval` before and after continued pretraining.

    python -m benchmarks.learning [--steps 200] [--hidden 128] [--layers 4]

A small Llama from random initialisation (a tokenizer with StarCoder's FIM sentinels trained here; nothing
downloaded) is trained by `recipes/cpt.py` on the bundled example's `clm` and `fim` train splits (full
weights, packed in 256-token blocks, a few CPU minutes), then `codetune eval` scores the untrained and the
trained model on the held-out repository (the test split): bits per byte, syntax validity, deprecated
APIs, BLEU/chrF/ROUGE, FIM and trees. Prints the report's table and writes benchmarks/results/learning.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FAMILIES = ("perplexity", "syntax", "deprecated", "overlap", "fim", "trees")


def cpt_main():
    spec = importlib.util.spec_from_file_location("recipe_cpt", ROOT / "recipes" / "cpt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    args = parser.parse_args()

    from codetune.build.pipeline import BuildOptions, build
    from codetune.definitions.fim_formats import fim_format
    from codetune.eval.report import write_report
    from codetune.eval.runner import EvalOptions, run_eval
    from dataset_scripts.example import ECOSYSTEM
    from tests.tiny_models import tiny_llama, train_tokenizer

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        example = build(ECOSYSTEM, BuildOptions(out_dir=root / "out", work_dir=root / "work", progress=False))
        tokenizer = train_tokenizer(special_tokens=fim_format("starcoder").special_tokens)
        untrained = root / "untrained"
        tokenizer.save_pretrained(untrained)
        tiny_llama(tokenizer, hidden_size=args.hidden, layers=args.layers).save_pretrained(untrained)

        mixture = {"id": str(example.out_dir), "split": "train", "weight": 1.0}
        config = root / "cpt.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "dataset_mixture": {
                        "datasets": [{**mixture, "config": "clm"}, {**mixture, "config": "fim"}],
                        "test_split": "test",
                    },
                    "max_length": 256,
                    "packing": True,
                    # plain causal blocks: on a CPU the padding-free batch (`bfd`) is one long row whose
                    # attention spans the whole batch, several times slower per step
                    "packing_strategy": "wrapped",
                }
            )
        )
        trained = root / "cpt"
        started = time.perf_counter()
        recipe = [
            "--config",
            str(config),
            "--model_name_or_path",
            str(untrained),
            "--output_dir",
            str(trained),
        ]
        recipe += ["--max_steps", str(args.steps), "--per_device_train_batch_size", "4"]
        recipe += ["--learning_rate", "2e-3", "--lr_scheduler_type", "cosine", "--warmup_steps", "10"]
        recipe += [
            "--dtype",
            "float32",
            "--report_to",
            "none",
            "--save_strategy",
            "no",
            "--eval_strategy",
            "no",
        ]
        recipe += [
            "--logging_steps",
            "50",
            "--activation_checkpointing",
            "false",
            "--dataloader_num_workers",
            "0",
        ]
        cpt_main()([*recipe, "--seed", "0"])
        train_seconds = time.perf_counter() - started

        options = EvalOptions(
            dataset=str(example.out_dir),
            models=(str(untrained), str(trained)),
            names=("untrained", "cpt"),
            out_dir=root / "evals",
            families=FAMILIES,
            max_new_tokens=args.max_new_tokens,
        )
        report = write_report(run_eval(options))
        text = report.read_text()
        data = json.loads((report.parent / "report.json").read_text())

    before, after = data["models"]
    result = {
        "steps": args.steps,
        "hidden": args.hidden,
        "layers": args.layers,
        "train_seconds": round(train_seconds, 1),
        "before": before["metrics"],
        "after": after["metrics"],
        "languages_before": before["languages"],
        "languages_after": after["languages"],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learning.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"trained {args.steps} steps in {train_seconds:.0f} s (hidden {args.hidden}, {args.layers} layers)")
    print(text.split("## Skipped")[0].split("## Models evaluated")[0])
    for metric, value in before["metrics"].items():
        print(f"  {metric:22s} before {value:9.4f}  after {after['metrics'].get(metric, float('nan')):9.4f}")


if __name__ == "__main__":
    main()
