"""Each secret kind added for real repositories, and each public look-alike that must pass untouched."""

from __future__ import annotations

import base64
import json
import random
import unicodedata

import pytest
from bip_utils import Bech32Encoder, ElectrumV1MnemonicValidator, ElectrumV2MnemonicValidator
from mnemonic import Mnemonic

from codetune.hygiene.redact import PUBLIC_TEST_KEYS, PUBLIC_TEST_MNEMONIC, redact_text
from codetune.hygiene.secret_scan import _TOKEN_RUN, token_runs
from tests.hygiene.redaction_set.corpus import _base58

rng = random.Random("secret-kinds")
KEY = rng.randbytes(32).hex()
KEYPAIR = rng.randbytes(64)


def redacted(text: str) -> str:
    return redact_text(text)[0]


def assert_kept(text: str) -> None:
    assert redacted(text) == text


# --- web3 key material ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        f'const signer = new ethers.Wallet("0x{KEY}", provider);',
        f"PRIVATE_KEY={KEY}",
        f'  private_key: "ed25519-priv-0x{KEY}"',  # Aptos CLI profile (AIP-80)
        f'var relayerPrivKey = "{KEY}"',  # Cosmos secp256k1
    ],
)
def test_a_hex_private_key_with_or_without_0x_is_cut_in_key_context(line):
    assert KEY not in redacted(line) and "<PRIVATE_KEY>" in redacted(line)


def test_a_solana_keypair_is_cut_as_base58_as_a_uint8array_and_as_a_keypair_file():
    as_base58 = f'const payer = Keypair.fromSecretKey(bs58.decode("{_base58(KEYPAIR)}"));'
    numbers = ",".join(str(byte) for byte in KEYPAIR)
    as_array = f"const payer = Keypair.fromSecretKey(Uint8Array.from([{numbers}]));"
    as_file = f"[{numbers}]\n"
    assert redacted(as_base58) == 'const payer = Keypair.fromSecretKey(bs58.decode("<PRIVATE_KEY>"));'
    assert redacted(as_array) == "const payer = Keypair.fromSecretKey(Uint8Array.from(<PRIVATE_KEY>));"
    assert redacted(as_file) == "<PRIVATE_KEY>\n"


def test_a_rust_byte_array_secret_is_cut_across_lines():
    rows = "\n".join("    " + ", ".join(str(b) for b in KEYPAIR[i : i + 16]) + "," for i in range(0, 64, 16))
    source = f"const AUTHORITY_SECRET: [u8; 64] = [\n{rows}\n];\n"
    assert redacted(source) == "const AUTHORITY_SECRET: [u8; 64] = <PRIVATE_KEY>;\n"


def test_near_credentials_file_loses_its_private_key_and_keeps_its_public_key():
    public, secret = "ed25519:" + _base58(KEYPAIR[32:]), "ed25519:" + _base58(KEYPAIR)
    credentials = json.dumps({"account_id": "game.testnet", "public_key": public, "private_key": secret})
    text = redacted(credentials)
    assert public in text and secret not in text and "<PRIVATE_KEY>" in text


def test_sui_bech32_keys_keystore_ciphertext_and_tendermint_keys_are_cut():
    sui = Bech32Encoder.Encode("suiprivkey", b"\x00" + KEYPAIR[:32])
    assert redacted(f"SUI_PRIVATE_KEY={sui}") == "SUI_PRIVATE_KEY=<PRIVATE_KEY>"
    keystore = json.dumps({"version": 3, "crypto": {"ciphertext": KEY, "kdf": "scrypt", "mac": KEY[::-1]}})
    assert KEY not in redacted(keystore)
    value = base64.b64encode(KEYPAIR).decode()
    validator = json.dumps({"priv_key": {"type": "tendermint/PrivKeyEd25519", "value": value}})
    assert value not in redacted(validator)


@pytest.mark.parametrize(
    "line",
    [
        f'const txHash = "0x{KEY}";',
        f'wallet_address: "0x{KEY}"',  # an Aptos / Sui address is 32 bytes too
        f"  signer_public_key: 0x{KEY}",
        f'topics: ["0x{KEY}"]',
        'owner: "0x6B175474E89094C44Da98b954EedeAC495271d0F",',
        f'"signature": "ed25519:{_base58(KEYPAIR)}"',  # a NEAR transaction signature is 64 bytes
        f'  "signatures": ["{_base58(KEYPAIR)}"],',  # a Solana transaction signature
        f'mint: "{_base58(KEYPAIR[:32])}"',
        "pub const UPDATE_SIGNER_PUBKEY: [u8; 32] = [" + ", ".join(str(b) for b in KEYPAIR[:32]) + "];",
        "const PERMUTATION: [u8; 64] = [" + ", ".join(str(b) for b in KEYPAIR) + "];",
    ],
)
def test_public_web3_values_pass_untouched(line):
    assert_kept(line)


def test_hardhat_and_anvil_test_keys_and_mnemonic_pass_untouched():
    for key in sorted(PUBLIC_TEST_KEYS):
        assert_kept(f"PRIVATE_KEY=0x{key}\nconst wallet = new Wallet('{key}');\n")
    assert_kept(f'accounts: {{ mnemonic: "{PUBLIC_TEST_MNEMONIC}" }}')


# --- mnemonics -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", Mnemonic.list_languages())
def test_a_checksum_valid_mnemonic_is_cut_in_every_bip39_language_composed_or_decomposed(language):
    phrase = Mnemonic(language).to_mnemonic(random.Random(language).randbytes(16))
    for form in ("NFC", "NFKD"):
        text = unicodedata.normalize(form, f'export const SEED = "{phrase}";\n')
        assert redacted(text) == 'export const SEED = "<MNEMONIC>";\n', (language, form)


def test_a_bad_checksum_in_another_language_without_context_is_kept():
    words = Mnemonic("italian").to_mnemonic(bytes(range(3, 19))).split()
    words[-1], words[-2] = words[-2], words[-1]  # swapping two words breaks the checksum
    assert_kept(" ".join(words) + "\n")


def test_an_electrum_v2_seed_is_cut():
    seed = "vapor trap radar design bless turn proud spice special fine wrap junior"  # a segwit seed
    assert ElectrumV2MnemonicValidator().IsValid(seed)
    assert not Mnemonic("english").check(seed)  # not a BIP-39 phrase: only Electrum's check finds it
    assert redacted(f'SEED = "{seed}"') == 'SEED = "<MNEMONIC>"'


def test_an_electrum_v1_seed_is_cut_next_to_seed_words_and_kept_as_prose_without_them():
    seed = "shall strange bone honest door party garden need master flirt free thorn"  # v1: no checksum
    assert ElectrumV1MnemonicValidator().IsValid(seed)
    assert redacted(f"# electrum seed:\n# {seed}\n") == "# electrum seed:\n# <MNEMONIC>\n"
    assert_kept(f"{seed}\n")


# --- URLs, headers, command lines, configs --------------------------------------------------------------


def test_passwords_in_urls_are_cut_and_users_hosts_and_templates_kept():
    source = "DATABASE_URL=postgres://app:Xq3vR8sLw2Kp@db.internal:5432/app\n"
    assert redacted(source) == "DATABASE_URL=postgres://app:<API_KEY>@db.internal:5432/app\n"
    assert_kept("DATABASE_URL=postgres://app:${POSTGRES_PASSWORD}@db:5432/app\n")
    clone = "git clone https://ghp_Zq8vT2mL5kWx9nRb4cYdQ7sH3jF6gA1eP0uI@github.com/org/repo.git"
    assert redacted(clone) == "git clone https://<API_KEY>@github.com/org/repo.git"
    assert_kept("git clone https://github.com/org/repo.git && ssh git@github.com")
    assert_kept("see https://user:password@example.com for the URL shape\n")


def test_bearer_and_basic_headers_are_cut_and_templates_kept():
    bearer = 'headers = {"Authorization": "Bearer 9fQ2xVb7LmT4sWz8nKc3dRg6hJy1aEuP"}'
    assert redacted(bearer) == 'headers = {"Authorization": "Bearer <API_KEY>"}'
    basic = base64.b64encode(b"svc:Qm7xR2vT9kLp4sWz").decode()
    assert redacted(f"Authorization: Basic {basic}") == "Authorization: Basic <API_KEY>"
    assert_kept("headers = {Authorization: `Bearer ${token}`}")
    assert_kept('Authorization: Basic realm="api"')


def test_signed_jwts_are_cut_and_unsigned_ones_kept():
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":"u-1","role":"admin","iat":1718000000}').decode().rstrip("=")
    signature = base64.urlsafe_b64encode(KEYPAIR[:32]).decode().rstrip("=")
    assert redacted(f'token = "{header}.{payload}.{signature}"') == 'token = "<API_KEY>"'
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    assert_kept(f"example: {none_header}.{payload}.")


def test_curl_users_kubernetes_secrets_and_nuget_passwords_are_cut():
    assert (
        redacted("curl -u deploy:Tq8wLx2Rv5Kz https://ci.acme.io")
        == "curl -u deploy:<API_KEY> https://ci.acme.io"
    )
    secret = "apiVersion: v1\nkind: Secret\ndata:\n  token: UXo4d0x4MlJ2NUt6bU4=\n"
    assert redacted(secret) == "apiVersion: v1\nkind: Secret\ndata:\n  token: <API_KEY>\n"
    nuget = '<add key="ClearTextPassword" value="Kz8wQx2Lv5Rt" />'
    assert redacted(nuget) == '<add key="ClearTextPassword" value="<API_KEY>" />'


def test_vendor_keys_named_after_their_service_are_cut_and_client_ids_kept():
    assert redacted('ADAFRUIT_IO_KEY = "a8f3k2m9q7w1z5x4c6v0b2n8m4l7k3j9"') == 'ADAFRUIT_IO_KEY = "<API_KEY>"'
    assert redacted("LaunchDarklyKey: 'sdk-4f9a2c7e-1b3d-4e5f-8a9b-0c1d2e3f4a5b'") != (
        "LaunchDarklyKey: 'sdk-4f9a2c7e-1b3d-4e5f-8a9b-0c1d2e3f4a5b'"
    )
    assert redacted('HEROKU_API_KEY="01234567-89ab-4cde-8f01-23456789abcd"') == 'HEROKU_API_KEY="<API_KEY>"'
    assert_kept('LINKEDIN_CLIENT_ID="86q2xk7w1zm4p9"')
    assert_kept("STRIPE_PUBLISHABLE_KEY=pk_live_51Hx8Q2LmT4sWz8nKc3dRg6h")
    assert_kept('secret = "123e4567-e89b-12d3-a456-426614174000"')


# --- the prefilter ------------------------------------------------------------------------------------


def test_a_gitlab_job_token_without_its_hex_group_does_not_hang_the_redactor():
    # detect-secrets' glcbt rule yields "" for its optional group: searching for "" never advanced
    assert redacted('CI_JOB_TOKEN="glcbt-u5Y8_kuizVZ6qUQ6khHuFjewZ"') == 'CI_JOB_TOKEN="<API_KEY>"'


def test_the_bytes_prefilter_finds_the_same_token_runs_as_the_expression():
    text = "\n".join(
        [
            "const key = 'Qm7xR2vT9kLp4sWz8nBc3dFg6hJy1aEu';",
            "short_name = 1",
            "a" * 15 + " " + "b" * 14,
            "x=" + KEY,
        ]
    )
    assert list(token_runs(text)) == [(m.start(), m.end()) for m in _TOKEN_RUN.finditer(text)]
    accented = text + "\nclé = 'Zq8vT2mL5kWx9nRb4cYd'"
    assert list(token_runs(accented)) == [(m.start(), m.end()) for m in _TOKEN_RUN.finditer(accented)]


# --- look-alikes met in real code (30 MB of installed packages) -----------------------------------------


def test_real_code_look_alikes_pass_untouched():
    assert_kept("        return x + y\n\n@pytest.mark.slow\ndef test_big():\n")  # a decorator, not a mailbox
    assert_kept("# According to RFC 9110 section 8.4.1.3, recipients must ...\n")
    assert_kept('    "url": "amqp://guest:guest@localhost:5672//",\n')  # a local default, user == password
    assert_kept('_no_split_modules = ["Qwen2_5OmniToken2WavDiTModel", "Qwen2_5OmniToken2WavBigVGANModel"]\n')
    assert_kept("from keys import Bip32PrivateKey, Bip32PublicKey\n")
    assert_kept('    verify_token="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",\n')  # cut short in a docstring
    assert_kept("    Modulus:\n        e4:85:05:f1:67:a0:ca:8b:f9:d7:7d:19:bd:\n")  # a key dump, not IPv6


def test_a_whole_wordlist_file_is_not_a_mnemonic():
    wordlist = "\n".join(Mnemonic("english").wordlist[:300]) + "\n"
    assert_kept(wordlist)
    chinese = "\n".join(Mnemonic("chinese_simplified").wordlist) + "\n"  # as the wordlist files are laid out
    assert_kept(chinese)


def test_a_sui_keystore_file_loses_every_key_and_a_base64_list_of_other_sizes_is_kept():
    keys = [base64.b64encode(bytes([flag]) + KEYPAIR[:32]).decode() for flag in (0, 1)]
    keystore = json.dumps(keys, indent=2) + "\n"
    text = redacted(keystore)
    assert all(key not in text for key in keys) and text.count("<PRIVATE_KEY>") == 2
    digests = json.dumps([base64.b64encode(KEYPAIR[:32]).decode()]) + "\n"  # 32 bytes: a digest, no flag
    assert redacted(digests) == digests
