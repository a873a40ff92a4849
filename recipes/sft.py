"""Supervised fine-tuning (TRL `SFTTrainer`) on a codetune `instruct` config, or any TRL-format dataset.

    python recipes/sft.py --config recipes/configs/qwen2.5-coder-1.5b/sft-lora.yaml
    accelerate launch --config_file recipes/accelerate/zero3.yaml recipes/sft.py \
        --config recipes/configs/starcoder2-3b/sft-lora.yaml

Prompt/completion rows train on the completion only, `messages` rows (with `assistant_only_loss: true`)
on the assistant turns only. Every choice lives in the YAML; any key can be overridden on the command line.
"""

import logging
import sys

from codetune.train.formats import Stage
from codetune.train.runner import run


def main(argv=None):
    return run(Stage.SFT, argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    main(sys.argv[1:])
