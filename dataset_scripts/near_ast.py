"""NEAR Protocol: smart contracts and dApps in Rust, TypeScript and JavaScript, plus the NEAR docs.

Covers near-sdk-rs and near-sdk-js (the SDKs, their examples and contract standards), the `near-examples`
organisation's contract + frontend repositories (hello-near, guest book, donation, counters, cross-contract
calls, FT), and the markdown of near/docs. Every repository is pinned in `locks/near-ast.lock.json`.

Expected size (measured on the pinned commits, without near/docs, which was not at hand): ~530 files
kept of ~980, 2.4 MB of text, ~3,500 `ast` rows (Rust ~3,300 segments, TypeScript ~700, JavaScript ~400
before dedup) and ~900 `dpo` pairs from the table below; near/docs adds its markdown pages.

`DEPRECATED_APIS` writes today's near-sdk API back into its older forms (near-sdk 4.x `#[near_bindgen]`
and `near_sdk::collections`, the pre-4.0 byte-string `env::log` / `env::panic`, raw `u128` / `u64`
before `NearToken` / `Gas` in 5.0), for the `dpo` subset's rejected side. `env::signer_account_id()` is
not in it: it is not deprecated (it means something else than `predecessor_account_id()`).
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.ecosystem import DeprecatedApi, Ecosystem, FileFilterSettings
from codetune.sources.lockfile import sources_from_lock

LOCK = Path(__file__).resolve().parent / "locks" / "near-ast.lock.json"

# The near-examples repositories have no top-level license file; their contract packages declare
# "(MIT AND Apache-2.0)" in package.json. They are opted in on that basis, as are the NEAR docs (no license
# file). Remove a name here to follow the strict allowlist for it.
OPTED_IN = (
    "near-examples/counters",
    "near-examples/cross-contract-calls",
    "near-examples/donation-examples",
    "near-examples/guest-book-examples",
    "near-examples/hello-near-examples",
    "near/docs",
)

PER_REPOSITORY = {name: {"allow_license": True} for name in OPTED_IN}
PER_REPOSITORY["near/docs"] |= {"role": "docs", "include": ("docs/*.md",), "exclude": ("docs/0.old/*",)}
PER_REPOSITORY["near/near-sdk-js"] = {"exclude": ("packages/*/lib/*",)}  # JavaScript compiled from the TS

# near-sdk-rs CHANGELOG and `#[deprecated]` attributes: 4.0.0 (log/panic/block_index), 5.0.0 (#[near],
# NearToken, Gas, store::IterableMap/IterableSet replacing UnorderedMap/UnorderedSet). (current, old, why)
_RUST_TABLE = (
    (
        r"#\[near\(contract_state\)\]",
        "#[near_bindgen]\n#[derive(BorshDeserialize, BorshSerialize)]",
        "near-sdk 5: #[near(contract_state)] replaces #[near_bindgen] + borsh derives",
    ),
    (
        r"#\[near\(serializers\s*=\s*\[\s*(?:json\s*,\s*borsh|borsh\s*,\s*json)\s*\]\s*\)\]",
        "#[derive(BorshDeserialize, BorshSerialize, Serialize, Deserialize)]\n"
        '#[serde(crate = "near_sdk::serde")]',
        "near-sdk 5: #[near(serializers = [...])] replaces the borsh and serde derives",
    ),
    (r"#\[near\]", "#[near_bindgen]", "near-sdk 5: #[near] replaces #[near_bindgen]"),
    (r"\bnear_sdk::store\b", "near_sdk::collections", "near-sdk 4+: store replaces collections"),
    (r"\bIterableMap\b", "UnorderedMap", "near-sdk 5: IterableMap replaces UnorderedMap"),
    (r"\bIterableSet\b", "UnorderedSet", "near-sdk 5: IterableSet replaces UnorderedSet"),
    (r'env::log_str\("((?:[^"\\]|\\.)*)"\)', r'env::log(b"\1")', "near-sdk 4: log_str replaces log"),
    (r'env::panic_str\("((?:[^"\\]|\\.)*)"\)', r'env::panic(b"\1")', "near-sdk 4: panic_str replaces panic"),
    (r"env::block_height\(\)", "env::block_index()", "near-sdk 4: block_height replaces block_index"),
    (r"Gas::from_tgas\((\d+)\)", r"Gas(\1_000_000_000_000)", "near-sdk 5: typed Gas replaces Gas(u64)"),
    (r"Gas::from_gas\(([^()]+)\)", r"Gas(\1)", "near-sdk 5: typed Gas replaces Gas(u64)"),
    (r"NearToken::from_near\((\d+)\)", r"\1 * ONE_NEAR", "near-sdk 5: NearToken replaces u128 balances"),
    (r"NearToken::from_yoctonear\(([^()]+)\)", r"\1", "near-sdk 5: NearToken replaces u128 balances"),
    (r"\.as_yoctonear\(\)", "", "near-sdk 5: NearToken replaces u128 balances"),
)
# near-sdk-js 0.5 moved to `@NearBindgen({})` classes with `@call({})` / `@view({})` decorators.
_JS_TABLE = (
    (
        r"@NearBindgen\(\{\}\)\s*(export\s+)?class\s+(\w+)\s*\{",
        r"@NearBindgen\n\1class \2 extends NearContract {",
        "near-sdk-js 0.5+: @NearBindgen({}) classes replace `extends NearContract`",
    ),
    (r"@call\(\{\}\)", "@call", "near-sdk-js 0.5+: decorators take options"),
    (r"@view\(\{\}\)", "@view", "near-sdk-js 0.5+: decorators take options"),
)
DEPRECATED_APIS = tuple(
    DeprecatedApi(current, deprecated, description, languages)
    for table, languages in ((_RUST_TABLE, ("rust",)), (_JS_TABLE, ("javascript", "typescript")))
    for current, deprecated, description in table
)


def near_ecosystem(lock: Path = LOCK) -> Ecosystem:
    """The NEAR ecosystem over the repositories of `lock` (the committed one by default)."""
    return Ecosystem(
        name="near-ast",
        description="NEAR Protocol contracts and dApps (Rust, TypeScript, JavaScript) and the NEAR docs.",
        sources=sources_from_lock(lock, per_repository=PER_REPOSITORY),
        filters=FileFilterSettings(languages=("rust", "typescript", "tsx", "javascript", "markdown")),
        deprecated_apis=DEPRECATED_APIS,
    )


ECOSYSTEM = near_ecosystem()


class NearAstEcosystem(EcosystemBuilder):
    """`NearAstEcosystem(config_name="ast").download_and_prepare()` builds NEAR with codetune."""

    ECOSYSTEM = ECOSYSTEM
