"""Fill-in-the-middle sentinel formats: the exact special-token strings each model family was trained with.

One table, one entry per tokenizer family. A rendered FIM example must tokenize to the family's sentinel
ids, not to pieces of them, so every string here is the literal added-token text of that tokenizer:

* StarCoder / StarCoder2 (`bigcode/starcoder*`): underscores, `<|endoftext|>` ends a document.
* SantaCoder (`bigcode/santacoder`): the same roles spelled with hyphens (`<fim-prefix>`).
* Code Llama: sentencepiece pieces `▁<PRE>`, `▁<SUF>`, `▁<MID>`, `▁<EOT>`, written as text with the space
  that becomes `▁`. Meta's reference `infilling_prompt_tokens` encodes the prefix with sentencepiece's
  implicit leading space and the suffix without it, hence `<PRE> {prefix} <SUF>{suffix} <MID>` (PSM) and
  `<PRE> <SUF>{suffix} <MID> {prefix}` (SPM); the middle ends with ` <EOT>`.
* DeepSeek-Coder: full-width bars `｜` (U+FF5C) and `▁` (U+2581) inside the tokens.
* Qwen2.5-Coder: `<|fim_*|>` plus `<|fim_pad|>`, `<|repo_name|>`, `<|file_sep|>` for repository context.
* CodeGemma: `<|fim_*|>`; a completion ends with `<|file_separator|>`.

SPM puts the suffix first (Bavarian et al. 2022, "SPM" variant as in StarCoder's and Code Llama's training):
`PRE SUF {suffix} MID {prefix}{middle}`. DeepSeek-Coder and Qwen2.5-Coder document PSM only; their SPM
rendering uses the same sentinel roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from codetune.errors import EcosystemConfigError


@dataclass(frozen=True)
class FimFormat:
    """The sentinel strings of one tokenizer family and how they join prefix, suffix and middle."""

    name: str
    models: str  # which models use it, for the docs and errors
    prefix: str
    suffix: str
    middle: str
    end: str  # after the middle: the token the model emits when the hole is filled
    pad: str = ""
    file_separator: str = ""
    repo_name: str = ""
    prefix_lead: str = ""  # text between the prefix sentinel and the prefix (Code Llama: the `▁` space)
    spm_prefix_lead: str = ""  # text between the middle sentinel and the prefix in SPM order
    space_piece: str = ""  # sentencepiece vocabularies store a sentinel's leading space as this piece

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """Every sentinel of the family (for a tokenizer fixture or a check against a real tokenizer)."""
        tokens = (
            self.prefix,
            self.suffix,
            self.middle,
            self.end,
            self.pad,
            self.file_separator,
            self.repo_name,
        )
        if self.space_piece:
            tokens = tuple(self.space_piece + token.strip() if token else "" for token in tokens)
        return tuple(dict.fromkeys(token for token in tokens if token))

    def render_psm(self, prefix: str, middle: str, suffix: str) -> str:
        return f"{self.prefix}{self.prefix_lead}{prefix}{self.suffix}{suffix}{self.middle}{middle}{self.end}"

    def render_spm(self, prefix: str, middle: str, suffix: str) -> str:
        return (
            f"{self.prefix}{self.suffix}{suffix}{self.middle}{self.spm_prefix_lead}{prefix}{middle}{self.end}"
        )


FIM_FORMATS: dict[str, FimFormat] = {
    fmt.name: fmt
    for fmt in (
        FimFormat(
            name="starcoder",
            models="StarCoder, StarCoderBase, StarCoder2",
            prefix="<fim_prefix>",
            suffix="<fim_suffix>",
            middle="<fim_middle>",
            end="<|endoftext|>",
            pad="<fim_pad>",
            file_separator="<file_sep>",
            repo_name="<repo_name>",
        ),
        FimFormat(
            name="santacoder",
            models="SantaCoder",
            prefix="<fim-prefix>",
            suffix="<fim-suffix>",
            middle="<fim-middle>",
            end="<|endoftext|>",
            pad="<fim-pad>",
        ),
        FimFormat(
            name="codellama",
            models="Code Llama (7B, 13B, 70B base and instruct with infilling)",
            prefix="<PRE>",
            suffix=" <SUF>",
            middle=" <MID>",
            end=" <EOT>",
            prefix_lead=" ",
            spm_prefix_lead=" ",
            space_piece="▁",
        ),
        FimFormat(
            name="deepseek-coder",
            models="DeepSeek-Coder (1.3B, 6.7B, 33B base)",
            prefix="<｜fim▁begin｜>",
            suffix="<｜fim▁hole｜>",
            middle="<｜fim▁end｜>",
            end="<｜end▁of▁sentence｜>",
        ),
        FimFormat(
            name="qwen2.5-coder",
            models="Qwen2.5-Coder",
            prefix="<|fim_prefix|>",
            suffix="<|fim_suffix|>",
            middle="<|fim_middle|>",
            end="<|endoftext|>",
            pad="<|fim_pad|>",
            file_separator="<|file_sep|>",
            repo_name="<|repo_name|>",
        ),
        FimFormat(
            name="codegemma",
            models="CodeGemma (2B, 7B)",
            prefix="<|fim_prefix|>",
            suffix="<|fim_suffix|>",
            middle="<|fim_middle|>",
            end="<|file_separator|>",
            file_separator="<|file_separator|>",
        ),
    )
}


def fim_format(name: str) -> FimFormat:
    """The format of a family by name; an unknown name is an error that lists the known ones."""
    try:
        return FIM_FORMATS[name]
    except KeyError:
        raise EcosystemConfigError(
            f"fim: field 'format' names an unknown sentinel family {name!r}; "
            f"known families: {', '.join(FIM_FORMATS)}"
        ) from None
