"""Preference tuning (TRL `DPOTrainer`) on codetune's `dpo` config: real code chosen, deprecated API rejected.

    python recipes/dpo.py --config recipes/configs/starcoder2-3b/dpo-lora.yaml --learning_rate 5e-7

With LoRA the reference model is the base with the adapter switched off, so no second copy is loaded.
"""

import logging
import sys

from codetune.train.formats import Stage
from codetune.train.runner import run


def main(argv=None):
    return run(Stage.DPO, argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    main(sys.argv[1:])
