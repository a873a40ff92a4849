"""Continued pretraining (TRL `SFTTrainer` on plain text) on a mixture of codetune's `clm` and `fim` configs.

    accelerate launch --config_file recipes/accelerate/zero2.yaml recipes/cpt.py \
        --config recipes/configs/codellama-7b/cpt.yaml

Documents are packed without crossing (`packing_strategy: bfd_split`); a model whose tokenizer lacks the
FIM sentinels the `fim` rows use gets them added (with a warning) and its embeddings resized.
"""

import logging
import sys

from codetune.train.formats import Stage
from codetune.train.runner import run


def main(argv=None):
    return run(Stage.CPT, argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    main(sys.argv[1:])
