"""The dataset configs codetune builds, by name."""

from codetune.subsets.ast import AST
from codetune.subsets.base import SubsetSpec
from codetune.subsets.clm import CLM
from codetune.subsets.trees import TREES

SUBSET_SPECS: dict[str, SubsetSpec] = {spec.name: spec for spec in (CLM, AST, TREES)}

__all__ = ["SUBSET_SPECS", "SubsetSpec"]
