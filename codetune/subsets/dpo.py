"""`dpo`: preference pairs in TRL's format (`prompt`, `chosen`, `rejected`), with how the negative was made.

`prompt`, `chosen` and `rejected` are conversational (a user turn; one assistant turn each), like the
`instruct` subset, so `DPOTrainer` applies the tokenizer's chat template. `negative_kind` names the maker in
`negatives.NEGATIVE_MAKERS` and `rule` the exact change, so pairs of one kind can be filtered or weighed.
"""

from __future__ import annotations

from collections.abc import Iterator

from datatrove.data import Document

from codetune.documents import record_kind
from codetune.subsets.base import SubsetContext, SubsetSpec
from codetune.subsets.instruct import MESSAGES
from codetune.subsets.negatives import NEGATIVE_MAKERS

COLUMNS = {
    "id": "string",
    "prompt": MESSAGES,
    "chosen": MESSAGES,
    "rejected": MESSAGES,
    "negative_kind": "string",
    "rule": "string",
    "repo": "string",
    "path": "string",
    "language": "string",
    "license": "string",
    "commit": "string",
}


def dpo_rows(document: Document, context: SubsetContext) -> Iterator[dict]:
    kind = record_kind(document)
    metadata = document.metadata
    for name in context.ecosystem.dpo.negative_kinds:
        maker = NEGATIVE_MAKERS[name]
        if maker.record_kind is not kind:
            continue
        for pair in maker.pairs(document, context):
            context.count(f"dpo_rows_{name}")
            yield {
                "id": f"{document.id}#dpo-{pair.key}",
                "prompt": [{"role": "user", "content": pair.prompt}],
                "chosen": [{"role": "assistant", "content": pair.chosen}],
                "rejected": [{"role": "assistant", "content": pair.rejected}],
                "negative_kind": name,
                "rule": pair.rule,
                "repo": metadata["repo"],
                "path": metadata.get("path", ""),
                "language": metadata.get("language", ""),
                "license": metadata["license"],
                "commit": metadata["commit"],
            }


DPO = SubsetSpec(
    name="dpo",
    record_kinds=tuple(dict.fromkeys(maker.record_kind for maker in NEGATIVE_MAKERS.values())),
    columns=COLUMNS,
    rows=dpo_rows,
    description="Preference pairs: real code against the same code on the ecosystem's deprecated API, and "
    "real repository trees against corrupted ones; `negative_kind` and `rule` say how each was made.",
)
