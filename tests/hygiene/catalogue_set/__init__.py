"""The second labelled redaction set, written from the catalogue of formats rather than from our rules.

`planted/` holds files in the shapes real web3 and backend repositories take (a Hardhat config, a Solana
`id.json`, NEAR credentials, an Ethereum keystore, Aptos/Sui/Cosmos key files, seed phrases in eight BIP-39
languages and an Electrum seed, URLs with passwords, auth headers, curl, Kubernetes secrets, NuGet
credentials, vendor tokens in `.env` and CI files), labelled in `labels.json` by the exact planted text.
`clean/` holds public values that look like them: addresses, transaction and event hashes, signatures,
public keys, the Anvil test keys, templated credentials, publishable keys and client ids. Values were drawn
once from a seeded generator and written here; the scoring is `redaction_set.corpus.score`.
"""

from __future__ import annotations

from pathlib import Path

from tests.hygiene.redaction_set.corpus import Planted, handwritten_clean_files, planted_files

SET_DIR = Path(__file__).resolve().parent


def catalogue_planted() -> list[Planted]:
    return planted_files(SET_DIR)


def catalogue_clean() -> list[tuple[str, str]]:
    return handwritten_clean_files(SET_DIR)
