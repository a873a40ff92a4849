"""The bundled example ecosystem: four tiny repositories (GDScript, Rust + TypeScript, Python, TypeScript)
and a docs folder, all written for codetune's demo and tests. `dcl-scene` is the test-split repository.

Expected size: ~40 files, ~150 segments; builds in seconds.
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.definitions.subset_settings import InstructionImport, InstructSettings
from codetune.ecosystem import DeprecatedApi, Ecosystem, Source

EXAMPLE_ROOT = Path(__file__).resolve().parent.parent / "examples" / "example_ecosystem"

# Current API (what the example repositories use) -> the deprecated form, for `dpo` negatives.
DEPRECATED_APIS = (
    # Decentraland SDK 7 -> SDK 6
    DeprecatedApi(r"engine\.addEntity\(\)", "new Entity()", "SDK 6 entities: new Entity()", ("typescript",)),
    DeprecatedApi(
        r"Transform\.create\((\w+), (\{[^}]*\})\)",
        r"\1.addComponent(new Transform(\2))",
        "SDK 6 components: entity.addComponent(new Transform(...))",
        ("typescript",),
    ),
    DeprecatedApi(
        r"MeshRenderer\.setBox\((\w+)\)",
        r"\1.addComponent(new BoxShape())",
        "SDK 6 shapes: BoxShape",
        ("typescript",),
    ),
    DeprecatedApi(
        r"Transform\.getMutable\((\w+)\)",
        r"\1.getComponent(Transform)",
        "SDK 6 getComponent",
        ("typescript",),
    ),
    DeprecatedApi(
        r"engine\.getEntitiesWith\(([^)]*)\)",
        r"engine.getComponentGroup(\1).entities",
        "SDK 6 component groups",
        ("typescript",),
    ),
    # NEAR Rust SDK 5 macros -> near_bindgen era
    DeprecatedApi(r"#\[near\]", "#[near_bindgen]", "NEAR SDK 4: #[near_bindgen]", ("rust",)),
    DeprecatedApi(
        r"#\[near\(contract_state\)\]",
        "#[near_bindgen]\n#[derive(BorshDeserialize, BorshSerialize)]",
        "NEAR SDK 4: contract state derives Borsh by hand",
        ("rust",),
    ),
    DeprecatedApi(
        r"#\[near\(serializers = \[borsh, json\]\)\]",
        "#[derive(BorshDeserialize, BorshSerialize, Serialize, Deserialize)]\n"
        '#[serde(crate = "near_sdk::serde")]',
        "NEAR SDK 4: serializers derived by hand",
        ("rust",),
    ),
    # Godot 4 -> Godot 3 GDScript
    DeprecatedApi(r"\b(\w+)\.emit\(\)", r'emit_signal("\1")', "Godot 3: emit_signal()", ("gdscript",)),
    DeprecatedApi(
        r"\b(\w+)\.emit\((?!\))",
        r'emit_signal("\1", ',
        "Godot 3: emit_signal() with arguments",
        ("gdscript",),
    ),
    DeprecatedApi(
        r"\b(\w+)\.(\w+)\.connect\((\w+)\)",
        r'\1.connect("\2", self, "\3")',
        "Godot 3: connect()",
        ("gdscript",),
    ),
    DeprecatedApi(
        r"(?m)^(\s*)move_and_slide\(\)",
        r"\1velocity = move_and_slide(velocity, Vector2.UP)",
        "Godot 3: move_and_slide(velocity, up)",
        ("gdscript",),
    ),
)

ECOSYSTEM = Ecosystem(
    name="example",
    description="A sample ecosystem of small Godot, NEAR, Flyte and Decentraland projects plus their docs.",
    sources=(
        Source(location=str(EXAMPLE_ROOT / "repos" / "godot-platformer")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "near-guestbook")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "flyte-pipelines")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "dcl-scene"), split="test"),
        Source(location=str(EXAMPLE_ROOT / "docs"), name="example-docs", role="docs", include=("*.md",)),
    ),
    deprecated_apis=DEPRECATED_APIS,
    instruct=InstructSettings(
        imports=(
            InstructionImport(str(EXAMPLE_ROOT / "instructions" / "godot-snippets.json"), license="MIT"),
        )
    ),
)


class ExampleEcosystem(EcosystemBuilder):
    """`ExampleEcosystem(config_name="ast").download_and_prepare()` builds the example with codetune."""

    ECOSYSTEM = ECOSYSTEM
