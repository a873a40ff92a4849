"""Imported first by the forkserver that local workers fork from: per-process work done once, for all of them.

With `start_method="forkserver"` (the default off Linux; on Linux workers fork from the build process,
which has pandas imported and datatrove's check cached already), each local worker is a fork of
datatrove's forkserver, so what the forkserver has done, every worker starts with. Two lazy, per-process
costs would otherwise land on every worker of every stage before its first task:

- pyarrow imports pandas (about 0.3 s) on its first conversion of Python objects (any `pa.array`), only to
  recognise pandas inputs, which workers never pass. It probes once per process and does not probe again
  when pandas fails to import, so one conversion here, with pandas blocked, spares every worker the import.
  Explicit pandas calls (`to_pandas`) still work: pyarrow imports pandas where it needs it.
- datatrove checks a step's required distributions whenever a step is built, unpickling included; the first
  check reads the metadata of every installed distribution (about 35 ms) and is cached per process.
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

import pyarrow as pa
from datatrove.pipeline.writers.parquet import ParquetWriter
from datatrove.utils._import_utils import check_required_dependencies


class _BlockPandas(MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "pandas":
            raise ImportError("pandas is blocked while pyarrow probes for it")
        return None


def skip_pyarrow_pandas_probe() -> None:
    """Let pyarrow's probes for pandas (one in Python, one in C++) find none; no-op if pandas is loaded."""
    if "pandas" in sys.modules:
        return
    blocker = _BlockPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([""])  # a conversion with type inference runs both probes
    finally:
        sys.meta_path.remove(blocker)


def warm_dependency_checks() -> None:
    """Run datatrove's distribution check for what codetune's Parquet writers require, so it is cached."""
    check_required_dependencies(ParquetWriter.__name__, ParquetWriter._requires_dependencies)


skip_pyarrow_pandas_probe()
warm_dependency_checks()
