"""NEAR: the deprecated-API table writes near-sdk 5 code back in near-sdk 4 shapes; a stand-in build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataset_scripts.near_ast import DEPRECATED_APIS, PER_REPOSITORY, near_ecosystem
from tests.dataset_scripts.standins import build_standins, rows, standin_lock

# A near-sdk 5 contract, as `cargo near new` writes one today.
CONTRACT_V5 = """use near_sdk::store::{IterableMap, LookupMap};
use near_sdk::{env, near, AccountId, Gas, NearToken, PanicOnDefault, Promise};

#[near(serializers = [json, borsh])]
pub struct PostedMessage {
    pub premium: bool,
    pub text: String,
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Contract {
    messages: IterableMap<u64, PostedMessage>,
    donations: LookupMap<AccountId, u128>,
}

#[near]
impl Contract {
    #[payable]
    pub fn add_message(&mut self, text: String) {
        let premium = env::attached_deposit() >= NearToken::from_near(1);
        if text.is_empty() {
            env::panic_str("Empty message");
        }
        env::log_str("Saving message");
        let height = env::block_height();
        self.messages.insert(height, PostedMessage { premium, text });
    }

    pub fn refund(&mut self, to: AccountId) -> Promise {
        let amount = self.donations.get(&to).copied().unwrap_or(0);
        Promise::new(to)
            .transfer(NearToken::from_yoctonear(amount))
            .then(Self::ext(env::current_account_id()).with_static_gas(Gas::from_tgas(5)).on_refund())
    }
}
"""

# The same contract as it was written against near-sdk 4 (collections, near_bindgen, bytes, u128, Gas(u64)).
CONTRACT_V4 = """use near_sdk::collections::{UnorderedMap, LookupMap};
use near_sdk::{env, near, AccountId, Gas, NearToken, PanicOnDefault, Promise};

#[derive(BorshDeserialize, BorshSerialize, Serialize, Deserialize)]
#[serde(crate = "near_sdk::serde")]
pub struct PostedMessage {
    pub premium: bool,
    pub text: String,
}

#[near_bindgen]
#[derive(BorshDeserialize, BorshSerialize)]
#[derive(PanicOnDefault)]
pub struct Contract {
    messages: UnorderedMap<u64, PostedMessage>,
    donations: LookupMap<AccountId, u128>,
}

#[near_bindgen]
impl Contract {
    #[payable]
    pub fn add_message(&mut self, text: String) {
        let premium = env::attached_deposit() >= 1 * ONE_NEAR;
        if text.is_empty() {
            env::panic(b"Empty message");
        }
        env::log(b"Saving message");
        let height = env::block_index();
        self.messages.insert(height, PostedMessage { premium, text });
    }

    pub fn refund(&mut self, to: AccountId) -> Promise {
        let amount = self.donations.get(&to).copied().unwrap_or(0);
        Promise::new(to)
            .transfer(amount)
            .then(Self::ext(env::current_account_id()).with_static_gas(Gas(5_000_000_000_000)).on_refund())
    }
}
"""

CONTRACT_JS_CURRENT = """import { NearBindgen, near, call, view } from 'near-sdk-js';

@NearBindgen({})
export class HelloNear {
  greeting: string = 'Hello';

  @view({})
  get_greeting(): string {
    return this.greeting;
  }

  @call({})
  set_greeting({ greeting }: { greeting: string }): void {
    near.log(`Saving greeting ${greeting}`);
    this.greeting = greeting;
  }
}
"""
CONTRACT_JS_OLD = CONTRACT_JS_CURRENT.replace(
    "@NearBindgen({})\nexport class HelloNear {",
    "@NearBindgen\nexport class HelloNear extends NearContract {",
).replace("({})\n", "\n")


def completion(messages: list[dict]) -> str:
    """The assistant turn of a `dpo` side (TRL's conversational format)."""
    return "".join(message["content"] for message in messages if message["role"] == "assistant")


def rewrite_all(code: str, language: str) -> str:
    for api in DEPRECATED_APIS:
        if language in api.languages:
            code = re.sub(api.current, api.deprecated, code)
    return code


def test_the_table_writes_a_near_sdk_5_contract_back_in_near_sdk_4_style():
    assert rewrite_all(CONTRACT_V5, "rust") == CONTRACT_V4


def test_the_table_writes_near_sdk_js_back_to_extends_near_contract():
    assert rewrite_all(CONTRACT_JS_CURRENT, "typescript") == CONTRACT_JS_OLD


SINGLE_SHAPES = [
    ("#[near(serializers=[borsh, json])]", '#[serde(crate = "near_sdk::serde")]'),
    ('env::log_str("a \\"quoted\\" word")', 'env::log(b"a \\"quoted\\" word")'),
    ("Gas::from_gas(300)", "Gas(300)"),
    ("use near_sdk::store::IterableSet;", "use near_sdk::collections::UnorderedSet;"),
    ("let paid: u128 = env::attached_deposit().as_yoctonear();", "let paid: u128 = env::attached_deposit();"),
]


@pytest.mark.parametrize(("current", "old"), SINGLE_SHAPES)
def test_each_entry_on_its_own_code_shape(current: str, old: str):
    assert old in rewrite_all(current, "rust")


def test_every_entry_matches_a_real_code_shape():
    """No dead rows: each entry rewrites something in the near-sdk 5 / near-sdk-js shapes above."""
    corpus = "\n".join([CONTRACT_V5, CONTRACT_JS_CURRENT, *(current for current, _ in SINGLE_SHAPES)])
    for api in DEPRECATED_APIS:
        assert re.search(api.current, corpus), f"{api.current!r} matches nothing"


def test_a_near_build_rewrites_real_functions_and_keeps_the_docs_apart(tmp_path: Path):
    small = "pub fn ping() -> u8 {\n    1\n}\n"
    repositories = {
        "near/near-sdk-rs": {
            "LICENSE-MIT": "MIT License\n",
            "LICENSE-APACHE": "Licensed under the Apache License, Version 2.0\n",
            "Cargo.toml": '[workspace]\nmembers = ["examples/guest-book"]\n',
            "examples/guest-book/Cargo.toml": '[package]\nname = "book"\n[dependencies]\nnear-sdk = "5.5"\n',
            "examples/guest-book/src/lib.rs": CONTRACT_V5,
        },
        "near-examples/hello-near-examples": {  # no license file: opted in by the module
            "contract-ts/package.json": '{"name": "hello", "dependencies": {"near-sdk-js": "2.0.0"}}',
            "contract-ts/src/contract.ts": CONTRACT_JS_CURRENT,
        },
        "near/near-sdk-js": {
            "LICENSE": "MIT License\n",
            "packages/near-sdk-js/src/api.ts": "export function log(msg: string): void {\n  env.log(msg);\n}",
            "packages/near-sdk-js/lib/api.js": "export function log(msg) {\n  env.log(msg);\n}\n",
        },
        "near/docs": {
            "docs/smart-contracts/anatomy.md": "# Anatomy\n\nA contract:\n\n```rust\n#[near]\nimpl C {}\n```",
            "docs/0.old/contracts.md": "# Old\n\nAssemblyScript.\n",
            "website/index.js": "module.exports = {};\n",
        },
    }
    for name in PER_REPOSITORY:  # the lock must hold every repository the module configures
        function = name.split("/")[1].replace("-", "_")
        repositories.setdefault(name, {"contract-rs/src/lib.rs": small.replace("ping", function)})
    lock = standin_lock(tmp_path, repositories)
    result = build_standins(tmp_path, near_ecosystem(lock), ("clm", "dpo"))

    status = {source.name: source.skipped for source in result.summary.sources}
    assert set(status.values()) == {""}  # the opted-in repositories build without a license file
    pairs = [row for row in rows(result, "dpo") if row["negative_kind"] == "deprecated_api"]
    by_rule = {(row["repo"], row["rule"]) for row in pairs}
    assert ("near/near-sdk-rs", "near-sdk 5: #[near] replaces #[near_bindgen]") in by_rule
    js = [row for row in pairs if row["repo"] == "near-examples/hello-near-examples"]
    assert any("extends NearContract" in completion(row["rejected"]) for row in js)
    impl = next(row for row in pairs if row["rule"].startswith("near-sdk 5: #[near] replaces"))
    assert completion(impl["rejected"]) == completion(impl["chosen"]).replace("#[near]", "#[near_bindgen]")
    clm = rows(result, "clm")
    assert {row["path"] for row in clm if row["repo"] == "near/near-sdk-js"} == {
        "packages/near-sdk-js/src/api.ts"
    }
    docs = {(row["repo"], row["path"], row["role"]) for row in clm if row["repo"] == "near/docs"}
    assert docs == {("near/docs", "docs/smart-contracts/anatomy.md", "docs")}
