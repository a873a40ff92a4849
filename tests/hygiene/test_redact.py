"""Secret and PII redaction: measured on the labelled set, then the sharp cases one by one."""

from __future__ import annotations

import pytest

from codetune.documents import FileMeta, RepoTreeMeta, make_document
from codetune.ecosystem import REDACTION_TYPES, RedactionSettings
from codetune.errors import EcosystemConfigError
from codetune.hygiene.redact import (
    PLACEHOLDERS,
    PUBLIC_TEST_KEYS,
    PUBLIC_TEST_MNEMONIC,
    SecretRedactor,
    find_secrets,
    redact_text,
)
from tests.hygiene.redaction_set.corpus import TYPES, clean_files, planted_files, score


def redacted(text: str) -> str:
    return redact_text(text)[0]


def test_labelled_set_recall_is_at_least_95_percent_and_at_most_1_percent_of_clean_files_change():
    result = score(find_secrets, redacted)
    assert all(result.planted[kind] >= 5 for kind in TYPES), result.planted  # every type is planted
    assert result.clean_files >= 100
    assert result.recall >= 0.95, result.missed
    assert result.clean_altered_fraction <= 0.01, result.clean_altered


def test_each_planted_secret_gets_the_placeholder_of_its_type():
    for planted in planted_files():
        text, counts = redact_text(planted.text)
        for kind in {kind for kind, _ in planted.secrets}:
            expected = sum(1 for k, _ in planted.secrets if k == kind)
            assert text.count(PLACEHOLDERS[kind]) >= expected, (planted.name, kind)
            assert counts[kind] >= expected


def test_a_pem_block_split_over_string_concatenations_is_replaced_whole():
    source = (
        "const key =\n"
        '  "-----BEGIN RSA PRIVATE KEY-----\\n" +\n'
        '  "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi0aN3d1gY2kF4pQ8vVbnS7wLx\\n" +\n'
        '  "q2WcY0t5bH1uJ8eR6aZ3pL9mXkV2sD7fG4hN1cB8vQ0tY5uE3wR6iO9pA2sDf\\n" +\n'
        '  "-----END RSA PRIVATE KEY-----\\n";\n'
        "export default key;\n"
    )
    text, counts = redact_text(source)
    assert counts == {"private_key": 1}
    assert "MIIEpAIBAAKCAQEA" not in text and "q2WcY0t5" not in text and "END RSA" not in text
    assert text.endswith("export default key;\n")


def test_a_pem_block_without_its_end_marker_is_still_cut():
    source = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nZz9Yb3QkLm0pR5\n"
    )
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" not in redacted(source)


def test_a_mnemonic_wrapped_over_two_comment_lines_is_one_finding():
    source = (
        "// faucet seed, keep it safe:\n"
        "// pull hundred plastic distance speak crouch\n"
        "// humble trumpet purse spawn entire divert\n"
        "fn main() {}\n"
    )
    text, counts = redact_text(source)
    assert counts == {"mnemonic": 1}
    assert "plastic" not in text and "divert" not in text and "fn main() {}" in text


def test_twelve_wordlist_words_with_a_bad_checksum_and_no_seed_context_are_kept():
    prose = "budget luggage merry garment thought town pond voice enjoy renew purity zoo\n"
    assert redacted(prose) == prose
    assert redacted("seed words: " + prose) != "seed words: " + prose


def test_public_test_values_are_kept():
    source = f'mnemonic: "{PUBLIC_TEST_MNEMONIC}"\nVECTOR = "{"abandon " * 11}about"\n' + "".join(
        f'const signerKey{i} = "0x{key}";\n' for i, key in enumerate(sorted(PUBLIC_TEST_KEYS))
    )
    assert redacted(source) == source


def test_hex_values_are_private_keys_only_in_key_context():
    value = "0x60a077bbd142880e8427abeec12975fd55911ea2cbd390b656a4d2bad821df99"
    assert redacted(f'const txHash = "{value}";') == f'const txHash = "{value}";'
    assert redacted(f"checksum = {value[2:]}") == f"checksum = {value[2:]}"
    assert redacted(f'const wallet = new Wallet("{value}");') == 'const wallet = new Wallet("<PRIVATE_KEY>");'
    assert redacted(f"DEPLOYER_PK={value}") == "DEPLOYER_PK=<PRIVATE_KEY>"


def test_near_secret_keys_are_cut_and_public_keys_kept():
    public = "ed25519:6k6HAEUje22dQDLD81cPD5UktBdrCxT3fRYe4jquvANm"
    secret = (
        "ed25519:5VmyvbZAk5NRTRdDWu32peASkRkUrFmG39AWhpE5cbkXsf9De5spPnYQkTRdivUMbK5vdsQaHF7Va8pPTZtWbecb"
    )
    text = redacted(f'{{"public_key": "{public}", "private_key": "{secret}"}}')
    assert public in text and secret not in text and "<PRIVATE_KEY>" in text


def test_ip_addresses_only_public_ones_and_not_versions():
    source = (
        "peer 10.0.0.7\nlisten 127.0.0.1\nserver 52.14.33.10\nversion 4.3.2.1\nv1.2.3.4\nneeds ==2.3.4.5\n"
    )
    assert redacted(source) == source.replace("52.14.33.10", "<IP_ADDRESS>")


def test_emails_but_not_reserved_domains_ssh_remotes_or_file_names():
    source = "alice@example.com git@github.com:org/repo.git icon@2x.png bob.smith@gmail.com\n"
    assert redacted(source) == source.replace("bob.smith@gmail.com", "<EMAIL>")


def test_generic_secret_assignment_needs_a_secret_name_and_a_random_value():
    assert redacted('client_secret = "Qm7xR2vT9kLp4sWz8nBc3dFg6hJy1aEu"') == 'client_secret = "<API_KEY>"'
    assert redacted("DB_PASSWORD=jFYG5me3v0aIe4O4PtbztX5B3cp1iDWK\n") == "DB_PASSWORD=<API_KEY>\n"
    for kept in (
        'token_address = "0x6B175474E89094C44Da98b954EedeAC495271d0F"',
        'tokenizer_name = "EleutherAI/gpt-neox-20b"',
        "API_KEY=your-api-key-here-0123456789",
        'secret = "123e4567-e89b-12d3-a456-426614174000"',
        "auth_token = settings.github.auth_token_v2",
        'greeting = "Qm7xR2vT9kLp4sWz8nBc3dFg6hJy1aEu"',
    ):
        assert redacted(kept) == kept


def test_a_file_of_only_numbers_is_left_alone():
    numbers = dict(clean_files())["numbers.csv"]
    assert len(numbers) > 10_000
    assert find_secrets(numbers) == []
    digits = "\n".join(str(10**63 + 7919 * n) for n in range(500))  # 64-digit numbers: hex-shaped
    assert redacted(digits) == digits


def test_settings_choose_the_types_replaced():
    source = "mail bob.smith@gmail.com from 52.14.33.10"
    assert redact_text(source, ("email",))[0] == "mail <EMAIL> from 52.14.33.10"
    with pytest.raises(EcosystemConfigError, match="types"):
        RedactionSettings(types=("phone_number",))
    with pytest.raises(EcosystemConfigError, match="enabled"):
        RedactionSettings(enabled="yes")  # type: ignore[arg-type]


def test_redactor_step_redacts_texts_and_readmes_and_counts_per_type_without_keeping_values():
    file_text = 'ADMIN = "bob.smith@gmail.com"\nKEY = "AKIACD2TLPO1O0LV8W76"\n'
    file_meta = FileMeta("org/game", "c" * 40, "train", "MIT", "src/a.py", "python", "code", len(file_text))
    readme = "# Game\n\nAsk carol.nguyen@acme-games.io.\n"
    tree_meta = RepoTreeMeta("org/game", "c" * 40, "train", "MIT", readme, 3, 1)
    step = SecretRedactor(RedactionSettings())
    documents = list(step.run([make_document(file_text, file_meta), make_document("game/\n", tree_meta)]))
    assert documents[0].text == 'ADMIN = "<EMAIL>"\nKEY = "<API_KEY>"\n'
    assert FileMeta.from_document(documents[0]).size == len(documents[0].text.encode())
    assert RepoTreeMeta.from_document(documents[1]).readme == "# Game\n\nAsk <EMAIL>.\n"
    assert step.stats["redacted_email"].total == 2 and step.stats["redacted_api_key"].total == 1
    assert "gmail" not in repr(step.stats.to_dict())


def test_every_redaction_type_has_a_placeholder():
    assert set(PLACEHOLDERS) == set(REDACTION_TYPES) == set(TYPES)
