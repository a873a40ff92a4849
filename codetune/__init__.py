"""codetune: the public code of a niche ecosystem → Hugging Face datasets and fine-tuned code models.

The public face: `Ecosystem` and `Source` (what to build), `EcosystemBuilder` (the `datasets` builder).
The build itself is `codetune.build.build(ecosystem, BuildOptions(...))`: the name `codetune.build` is the
build stage's package. These names load on first use (PEP 562), so importing one stage's module, as every
datatrove worker does, does not import `datasets` or the whole pipeline.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Ecosystem", "EcosystemBuilder", "Source"]

_PUBLIC = {
    "Ecosystem": "codetune.ecosystem",
    "Source": "codetune.ecosystem",
    "EcosystemBuilder": "codetune.hub.builder",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'codetune' has no attribute {name!r}")
