"""The build stage: plan, datatrove stages and executors, work files, subset writers and the summary.

`build` and `BuildOptions` are loaded on first use (PEP 562), so a worker that imports one step's module
(`codetune.build.workfiles`) does not import the whole pipeline with it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BuildOptions", "BuildResult", "build"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from codetune.build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
