"""`EcosystemBuilder` is a real `datasets` builder class: import, prepare, load."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from codetune.build.pipeline import BuildOptions, build
from dataset_scripts.example import ECOSYSTEM, ExampleEcosystem


def test_builder_class_prepares_every_config_with_the_rows_of_a_cli_build(tmp_path: Path):
    reference = build(
        ECOSYSTEM, BuildOptions(out_dir=tmp_path / "ref", work_dir=tmp_path / "work", progress=False)
    )
    for config in ("clm", "ast", "trees"):
        builder = ExampleEcosystem(config_name=config, cache_dir=str(tmp_path / "hf"))
        builder.download_and_prepare()
        dataset = builder.as_dataset()
        assert set(dataset) == {"train", "test"}
        for split in ("train", "test"):
            expected = [
                row
                for path in sorted((reference.out_dir / config).glob(f"{split}-*.parquet"))
                for row in pq.read_table(path).to_pylist()
            ]
            assert dataset[split].to_list() == expected
        assert dataset["train"].features == builder.info.features


def test_builder_configs_share_one_build(tmp_path: Path):
    ExampleEcosystem(config_name="ast", cache_dir=str(tmp_path / "hf")).download_and_prepare()
    work = tmp_path / "hf" / "codetune" / "example" / "work"
    (build_dir,) = work.iterdir()
    stats_files = sorted((build_dir / "logs" / "extract" / "stats").iterdir())
    before = [path.stat().st_mtime_ns for path in stats_files]
    ExampleEcosystem(config_name="trees", cache_dir=str(tmp_path / "hf")).download_and_prepare()
    assert [path.stat().st_mtime_ns for path in stats_files] == before  # no extract task ran again
