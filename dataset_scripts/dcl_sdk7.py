"""Decentraland SDK 7 scenes in TypeScript, plus the SDK 7 docs.

Covers decentraland/sdk7-goerli-plaza (the SDK 7 example scenes, one folder each), sdk7-test-scenes, the
Genesis Plaza rewritten for SDK 7, and the SDK 7 pages of decentraland/documentation
(`content/creator/sdk7/`; the SDK 6 pages under `deprecated/` are left out). Pinned in
`locks/dcl-sdk7.lock.json`.

Expected size (measured on the pinned commits): ~530 files kept of ~6,200 (most of sdk7-goerli-plaza lies
outside its licensed scenes), 2.9 MB of text, ~1,500 `ast` rows (TypeScript, TSX) and ~1,200 `dpo` pairs;
the docs give ~100 pages, ~1,100 sections.

`DEPRECATED_APIS` writes SDK 7 code back in SDK 6 style: `engine.addEntity()` → `new Entity()` +
`engine.addEntity(entity)`, `Transform.create(e, {...})` → `e.addComponent(new Transform({...}))`,
`MeshRenderer.setBox(e)` → `e.addComponent(new BoxShape())`, `Vector3.create(...)` → `new Vector3(...)`,
... — the mix-up dcl-codellama was trained to avoid.
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.ecosystem import DeprecatedApi, Ecosystem, FileFilterSettings
from codetune.sources.lockfile import sources_from_lock

LOCK = Path(__file__).resolve().parent / "locks" / "dcl-sdk7.lock.json"

# sdk7-goerli-plaza has no top-level license; these scene folders carry their own LICENSE (Apache-2.0, one
# MIT) and are the only ones taken. The docs and Genesis-Plaza-SDK7 have no license file and are opted in
# as Decentraland's published examples and documentation: drop them from OPTED_IN for the strict policy.
LICENSED_PLAZA_SCENES = (
    "BouncerUI",
    "Donation-Box",
    "Events-API-Board",
    "NFT-scanner-basic",
    "Party-Time",
    "Shooting-Range-Advanced",
    "Shooting-range",
    "Splat-Attack",
    "Weather-Simulation",
    "auto-dance",
    "block-portable-experiences",
    "boids",
    "grab-objects",
    "land-flipper",
    "lazy-loading",
    "media-streaming",
    "reward-claim",
)
OPTED_IN = (
    "decentraland/sdk7-goerli-plaza",
    "decentraland-scenes/Genesis-Plaza-SDK7",
    "decentraland/documentation",
)
PER_REPOSITORY = {name: {"allow_license": True} for name in OPTED_IN}
PER_REPOSITORY["decentraland/sdk7-goerli-plaza"]["include"] = tuple(
    f"{scene}/*" for scene in LICENSED_PLAZA_SCENES
)
PER_REPOSITORY["decentraland/documentation"] |= {"role": "docs", "include": ("content/creator/sdk7/*.md",)}

_ENTITY = r"(\w+)"
_OBJECT = r"(\{(?:[^{}]|\{[^{}]*\})*\})"  # an object literal, one level of nesting
_VALUE = r"'[^'\n]*'|\"[^\"\n]*\"|`[^`]*`|[\w.]+"  # a string literal or a name
_SHAPES = {"Box": "BoxShape", "Plane": "PlaneShape", "Sphere": "SphereShape", "Cylinder": "CylinderShape"}

# SDK 7 (current, `@dcl/sdk/ecs` components as functions of an entity) → SDK 6 (entities as objects with
# `addComponent(new ...)`), from the SDK 6 docs and scenes. (current, old, why)
_TABLE = (
    (
        rf"(?m)^([ \t]*)(const|let) {_ENTITY} = engine\.addEntity\(\)",
        r"\1\2 \3 = new Entity()\n\1engine.addEntity(\3)",
        "SDK 7: engine.addEntity() creates the entity; SDK 6 built `new Entity()` then added it",
    ),
    (
        rf"Transform\.create\({_ENTITY},\s*{_OBJECT}\)",
        r"\1.addComponent(new Transform(\2))",
        "SDK 7: Transform.create(entity, {...}) replaces entity.addComponent(new Transform({...}))",
    ),
    (
        rf"Transform\.createOrReplace\({_ENTITY},\s*{_OBJECT}\)",
        r"\1.addComponentOrReplace(new Transform(\2))",
        "SDK 7: createOrReplace replaces addComponentOrReplace",
    ),
    (
        rf"Transform\.(?:getMutable|get)\({_ENTITY}\)",
        r"\1.getComponent(Transform)",
        "SDK 7: Transform.getMutable(entity) replaces entity.getComponent(Transform)",
    ),
    (
        rf"GltfContainer\.create\({_ENTITY},\s*\{{\s*src:\s*([^,{{}}]+?)\s*\}}\)",
        r"\1.addComponent(new GLTFShape(\2))",
        "SDK 7: GltfContainer replaces GLTFShape",
    ),
    (
        rf"MeshRenderer\.set(Box|Plane|Sphere|Cylinder)\({_ENTITY}\)",
        r"\2.addComponent(new \1Shape())",
        "SDK 7: MeshRenderer.setBox(entity) replaces entity.addComponent(new BoxShape())",
    ),
    (
        rf"MeshCollider\.set(Box|Plane|Sphere|Cylinder)\({_ENTITY}\)",
        r"\2.getComponent(\1Shape).withCollisions = true",
        "SDK 7: MeshCollider replaces the shapes' withCollisions flag",
    ),
    (
        rf"TextShape\.create\({_ENTITY},\s*\{{\s*text:\s*({_VALUE})(?:[^{{}}]|\{{[^{{}}]*\}})*\}}\)",
        r"\1.addComponent(new TextShape(\2))",
        "SDK 7: TextShape.create(entity, {text, ...}) replaces new TextShape(text) (other fields dropped)",
    ),
    (
        rf"AudioSource\.create\({_ENTITY},\s*\{{\s*audioClipUrl:\s*([^,{{}}]+?)\s*\}}\)",
        r"\1.addComponent(new AudioSource(new AudioClip(\2)))",
        "SDK 7: AudioSource takes audioClipUrl; SDK 6 wrapped an AudioClip",
    ),
    (
        rf"engine\.addSystem\({_ENTITY}\)",
        r"engine.addSystem({ update: \1 })",
        "SDK 7: systems are functions; SDK 6 systems were objects with update(dt)",
    ),
    (r"Vector3\.create\(", "new Vector3(", "SDK 7: Vector3.create replaces new Vector3"),
    (r"Color3\.create\(", "new Color3(", "SDK 7: Color3.create replaces new Color3"),
    (r"Color4\.create\(", "new Color4(", "SDK 7: Color4.create replaces new Color4"),
    (r"Quaternion\.fromEulerDegrees\(", "Quaternion.Euler(", "SDK 7: fromEulerDegrees replaces Euler"),
    (
        r"InputAction\.IA_(POINTER|PRIMARY|SECONDARY|ANY)\b",
        r"ActionButton.\1",
        "SDK 7: InputAction.IA_* replaces ActionButton.*",
    ),
)
DEPRECATED_APIS = tuple(
    DeprecatedApi(current, deprecated, description, ("typescript", "tsx"))
    for current, deprecated, description in _TABLE
)


def dcl_ecosystem(lock: Path = LOCK) -> Ecosystem:
    """The Decentraland SDK 7 ecosystem over the repositories of `lock` (the committed one by default)."""
    return Ecosystem(
        name="dcl-sdk7",
        description="Decentraland SDK 7 scenes in TypeScript and the SDK 7 documentation.",
        sources=sources_from_lock(lock, per_repository=PER_REPOSITORY),
        filters=FileFilterSettings(languages=("typescript", "tsx", "javascript", "markdown")),
        deprecated_apis=DEPRECATED_APIS,
    )


ECOSYSTEM = dcl_ecosystem()


class DclSdk7Ecosystem(EcosystemBuilder):
    """`DclSdk7Ecosystem(config_name="dpo").download_and_prepare()` builds Decentraland SDK 7."""

    ECOSYSTEM = ECOSYSTEM
