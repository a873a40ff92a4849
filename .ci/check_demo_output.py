"""CI: the folder `make demo` wrote loads with `datasets.load_dataset` for every config its card lists.

Run with the demo's own venv (core install only), so a dependency missing from the core install fails here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from datasets import load_dataset


def card_configs(folder: Path) -> list[str]:
    """The config names in the dataset card's YAML header, which is what the Hub and `load_dataset` read."""
    header = (folder / "README.md").read_text(encoding="utf-8").split("---")[1]
    return [entry["config_name"] for entry in yaml.safe_load(header)["configs"]]


def main(folder: Path) -> int:
    configs = card_configs(folder)
    if not configs:
        print(f"{folder}: the card lists no configs", file=sys.stderr)
        return 1
    for config in configs:
        dataset = load_dataset(str(folder), config)
        rows = {split: len(dataset[split]) for split in dataset}
        if not all(rows.values()):
            print(f"{folder}: config {config!r} has an empty split: {rows}", file=sys.stderr)
            return 1
        print(f"load_dataset({str(folder)!r}, {config!r}): {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/example")))
