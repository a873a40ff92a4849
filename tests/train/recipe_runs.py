"""Helpers for running a recipe on the CPU in a test and poking at what it trained."""

from __future__ import annotations

import math
from pathlib import Path

# Small, fast and CPU-safe: fp32, no gradient checkpointing, nothing reported, no dataloader workers.
CPU_ARGS = (
    "--dtype", "float32",
    "--report_to", "none",
    "--logging_steps", "1",
    "--save_strategy", "no",
    "--eval_strategy", "no",
    "--learning_rate", "1e-3",
    "--activation_checkpointing", "false",
    "--dataloader_num_workers", "0",
    "--seed", "0",
)  # fmt: skip


def dataset_args(dataset: Path | str, config: str) -> tuple[str, ...]:
    """The recipe arguments that pick one config of a built dataset."""
    return ("--dataset_name", str(dataset), "--dataset_config", config)


def recipe_args(model: Path, output_dir: Path, *extra: str, max_steps: int = 2) -> list[str]:
    return [
        "--model_name_or_path", str(model),
        "--output_dir", str(output_dir),
        "--max_steps", str(max_steps),
        "--per_device_train_batch_size", "2",
        "--per_device_eval_batch_size", "2",
        *CPU_ARGS,
        *extra,
    ]  # fmt: skip


def losses_on_repeated_batch(trainer, steps: int = 6, lr: float = 1e-2) -> list[float]:
    """Train the recipe's model a few more steps on one collated batch from its own dataloader."""
    import torch

    model = trainer.model
    model.train()
    batch = next(iter(trainer.get_train_dataloader()))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    for _ in range(steps):
        loss = trainer.compute_loss(model, dict(batch))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert all(math.isfinite(value) for value in losses), losses
    return losses


def generate(model, tokenizer, prompt: str = "func _ready():\n", new_tokens: int = 8) -> list[int]:
    import torch

    inputs = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        output = model.generate(
            **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False
        )
    return output[0, inputs["input_ids"].shape[1] :].tolist()
