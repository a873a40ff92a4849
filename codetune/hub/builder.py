"""`EcosystemBuilder`: a `datasets` builder class over the codetune pipeline, importable by any project.

    from dataset_scripts.example import ExampleEcosystem
    builder = ExampleEcosystem(config_name="ast")
    builder.download_and_prepare()
    dataset = builder.as_dataset()

`_split_generators` runs the same build as `codetune build` (local executor) into the `datasets` cache;
the configs share one build, so preparing a second config reuses the finished tasks.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import datasets
import pyarrow as pa
import pyarrow.parquet as pq

from codetune.build.pipeline import BuildOptions, build, default_cache_dir
from codetune.ecosystem import SUBSETS, Ecosystem
from codetune.subsets import SUBSET_SPECS
from codetune.subsets.attribute_columns import ecosystem_subset


class EcosystemBuilderConfig(datasets.BuilderConfig):
    """One config per subset (`clm`, `ast`, `trees`)."""


class EcosystemBuilder(datasets.ArrowBasedBuilder):
    """Subclass it with `ECOSYSTEM = Ecosystem(...)` in a module under `dataset_scripts/`."""

    ECOSYSTEM: ClassVar[Ecosystem]
    NUM_PROC: ClassVar[int] = 1
    BUILDER_CONFIG_CLASS = EcosystemBuilderConfig
    BUILDER_CONFIGS: ClassVar[list[EcosystemBuilderConfig]] = [
        EcosystemBuilderConfig(
            name=name, version=datasets.Version("1.0.0"), description=SUBSET_SPECS[name].description
        )
        for name in SUBSETS
    ]
    DEFAULT_CONFIG_NAME = "clm"

    def _info(self) -> datasets.DatasetInfo:
        spec = ecosystem_subset(self.ECOSYSTEM, self.config.name)
        return datasets.DatasetInfo(description=spec.description, features=spec.features)

    def _build_root(self) -> Path:
        return Path(self._cache_dir_root) / "codetune" / self.ECOSYSTEM.name

    def _split_generators(self, dl_manager: datasets.DownloadManager) -> list[datasets.SplitGenerator]:
        root = self._build_root()
        options = BuildOptions(
            out_dir=root / "out",
            work_dir=root / "work",
            num_proc=self.NUM_PROC,
            overwrite=True,  # the folder is ours: a changed source replaces the old build
            cache_dir=default_cache_dir(),
            progress=False,
        )
        result = build(self.ECOSYSTEM, options)
        config_dir = result.out_dir / self.config.name
        return [
            datasets.SplitGenerator(name=split, gen_kwargs={"files": sorted(map(str, files))})
            for split in ("train", "test")
            if (files := list(config_dir.glob(f"{split}-*.parquet")))
        ]

    def _generate_tables(self, files: list[str]):
        for file_index, path in enumerate(files):
            with pq.ParquetFile(path) as parquet:
                for batch_index, batch in enumerate(parquet.iter_batches(batch_size=1000)):
                    yield f"{file_index}_{batch_index}", pa.Table.from_batches([batch])
