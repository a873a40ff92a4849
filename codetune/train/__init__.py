"""Shared code of the training recipes in `recipes/` (SFT, DPO, continued pretraining with TRL and PEFT).

The scripts stay thin, alignment-handbook style; everything they have in common lives here: arguments
parsed by TRL's parser (YAML `--config` plus CLI overrides), dataset mixtures, tokenizer preparation,
encoding that keeps the prompt/completion boundary, packing checks, perplexity and the final merge.
"""
