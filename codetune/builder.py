"""`from codetune.builder import EcosystemBuilder` keeps working for ecosystem modules: the builder lives in
`codetune.hub.builder`."""

from codetune.hub.builder import EcosystemBuilder

__all__ = ["EcosystemBuilder"]
