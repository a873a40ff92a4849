"""The dataset configs codetune builds, by name."""

from codetune.subsets.ast import AST
from codetune.subsets.base import SubsetContext, SubsetSpec
from codetune.subsets.clm import CLM
from codetune.subsets.dpo import DPO
from codetune.subsets.fim import FIM
from codetune.subsets.instruct import INSTRUCT
from codetune.subsets.trees import TREES

SUBSET_SPECS: dict[str, SubsetSpec] = {spec.name: spec for spec in (CLM, AST, TREES, FIM, INSTRUCT, DPO)}

__all__ = ["SUBSET_SPECS", "SubsetContext", "SubsetSpec"]
