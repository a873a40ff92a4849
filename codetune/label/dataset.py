"""A built dataset folder (Hub layout) as labelling reads and extends it.

Labelled rows go into new configs of the same folder (`OUT/<task>/train-00000-of-00001.parquet`), listed in
the card's `configs:` so `load_dataset(OUT, "<task>")` finds them, and the card gets one section per task
with the labelling model, template, parameters, counts and drops.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from codetune.errors import CodetuneError

# Text columns of the test split that labelled rows must not leak (the build's decontamination, again).
_TEST_TEXT_COLUMNS = {"clm": ("text",), "ast": ("docstring", "code"), "instruct": ("instruction", "output")}
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


class LabelError(CodetuneError):
    """Labelling cannot start or go on; the message names the folder, config or setting and what to do."""


class DatasetFolder:
    def __init__(self, path: Path):
        self.path = Path(path)
        if not (self.path / "README.md").is_file():
            raise LabelError(
                f"{self.path}: not a codetune dataset folder (no README.md); run `codetune build`"
            )

    def has(self, config: str, split: str) -> bool:
        return any((self.path / config).glob(f"{split}-*.parquet"))

    def rows(self, config: str, split: str) -> Iterator[dict]:
        files = sorted((self.path / config).glob(f"{split}-*.parquet"))
        if not files and split == "train":
            raise LabelError(f"{self.path}: config {config!r} has no {split} split; build it first")
        for file in files:
            yield from pq.read_table(file).to_pylist()

    def test_texts(self) -> Iterator[str]:
        for config, columns in _TEST_TEXT_COLUMNS.items():
            for row in self.rows(config, "test"):
                yield "\n".join(row[column] or "" for column in columns)

    def write_config(self, name: str, rows: list[dict], columns: dict) -> Path | None:
        """The rows as the config's only train shard (rewritten whole: rows are few and sorted by id).

        No rows, no shard: `datasets` cannot load a Parquet config without rows.
        """
        import datasets

        from codetune.subsets.base import _feature

        features = datasets.Features({column: _feature(kind) for column, kind in columns.items()})
        target = self.path / name
        target.mkdir(exist_ok=True)
        for stale in target.glob("train-*.parquet"):
            stale.unlink()
        if not rows:
            target.rmdir()
            return None
        path = target / "train-00000-of-00001.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=features.arrow_schema), path)
        return path

    def update_card(self, name: str, section: str, listed: bool = True) -> None:
        """Lists config `name` in the card's `configs:` (unless it has no rows) and puts `section` in place
        of its previous one."""
        card_path = self.path / "README.md"
        card = card_path.read_text()
        match = _FRONT_MATTER.match(card)
        if match is None:
            raise LabelError(f"{card_path}: no YAML front matter; rebuild the dataset with `codetune build`")
        meta = yaml.safe_load(match.group(1)) or {}
        configs = [entry for entry in meta.get("configs", []) if entry.get("config_name") != name]
        if listed:
            configs.append(
                {"config_name": name, "data_files": [{"split": "train", "path": f"{name}/train-*"}]}
            )
        meta["configs"] = configs
        body = card[match.end() :]
        begin, end = f"<!-- codetune label {name} -->", f"<!-- /codetune label {name} -->"
        body = re.sub(rf"\n?{re.escape(begin)}.*?{re.escape(end)}\n", "", body, flags=re.DOTALL)
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        card_path.write_text(f"---\n{front}---\n{body.rstrip()}\n\n{begin}\n{section.rstrip()}\n{end}\n")
