"""An Ollama Modelfile for an exported GGUF: FROM, the chat template as Go TEMPLATE, FIM, stops, context.

Ollama renders prompts with a Go template over `.Messages` (and `.Prompt`/`.Suffix` for infill), not with
the jinja chat template in the tokenizer. codetune recognises the template *family* by rendering probe
conversations with the tokenizer's own jinja template and comparing them with the family's layout, then
writes that family's Go template. An unrecognised template gets no TEMPLATE and a warning: a wrong one would
silently prompt the model in a layout it never saw.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from codetune.definitions.fim_formats import FIM_FORMATS, FimFormat

logger = logging.getLogger(__name__)

Messages = list[dict[str, str]]

# Probe conversations: with and without a system turn, one and two user turns.
PROBES: tuple[Messages, ...] = (
    [{"role": "user", "content": "U1"}],
    [{"role": "system", "content": "S1"}, {"role": "user", "content": "U1"}],
    [{"role": "user", "content": "U1"}, {"role": "assistant", "content": "A1"},
     {"role": "user", "content": "U2"}],
    [{"role": "system", "content": "S1"}, {"role": "user", "content": "U1"},
     {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}],
)  # fmt: skip


@dataclass(frozen=True)
class ChatFamily:
    """One prompt layout: how a conversation ending in a user turn renders, and the same as a Go template."""

    name: str
    render: Callable[[Messages, str], str]  # (messages, eos) -> the prompt for the next assistant turn
    go_template: Callable[[str], str]  # eos -> Go template over .Messages
    stops: Callable[[str], tuple[str, ...]]


def _chatml(messages: Messages, eos: str) -> str:
    turns = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def _alpaca(messages: Messages, eos: str) -> str:
    """codetune's training template (templates/chat_training.j2), the Alpaca instruction layout."""
    parts = []
    for message in messages:
        if message["role"] == "system":
            parts.append(message["content"] + "\n\n")
        elif message["role"] == "user":
            parts.append(f"### Instruction:\n{message['content']}\n\n### Response:\n")
        elif message["role"] == "assistant":
            parts.append(message["content"] + eos + "\n\n")
    return "".join(parts)


FAMILIES: tuple[ChatFamily, ...] = (
    ChatFamily(
        "chatml",
        _chatml,
        lambda eos: (
            "{{ range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
            "<|im_start|>assistant\n"
        ),
        lambda eos: ("<|im_end|>", "<|im_start|>", eos),
    ),
    ChatFamily(
        "alpaca",
        _alpaca,
        lambda eos: (
            '{{ range .Messages }}{{ if eq .Role "system" }}{{ .Content }}\n\n'
            '{{ else if eq .Role "user" }}### Instruction:\n{{ .Content }}\n\n### Response:\n'
            '{{ else if eq .Role "assistant" }}{{ .Content }}' + eos + "\n\n{{ end }}{{ end }}"
        ),
        lambda eos: (eos, "### Instruction:"),
    ),
)


@dataclass(frozen=True)
class PromptLayout:
    """What the Modelfile needs to know about the tokenizer's prompts."""

    family: ChatFamily | None  # None: no chat template, or one codetune cannot translate
    has_chat_template: bool
    default_system: str = ""  # a system prompt the template inserts when the conversation has none
    fim: FimFormat | None = None
    eos: str = ""
    bos: str = ""
    warnings: tuple[str, ...] = field(default=())


def render_jinja(tokenizer, messages: Messages) -> str:
    """The tokenizer's chat template for a conversation ending in a user turn, the prompt to generate from."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def strip_bos(text: str, bos: str) -> str:
    """llama.cpp (and so Ollama) adds BOS itself when tokenizing; the Go template must not."""
    return text[len(bos) :] if bos and text.startswith(bos) else text


def _default_system(family: ChatFamily, rendered: str, eos: str) -> str | None:
    """The system turn a template inserts on its own (Qwen's "You are Qwen…"), "" if none, None: no match."""
    bare = family.render(PROBES[0], eos)
    if rendered == bare:
        return ""
    if family.name == "chatml" and rendered.endswith(bare):
        match = re.fullmatch(r"<\|im_start\|>system\n(.*)<\|im_end\|>\n", rendered[: -len(bare)], re.S)
        if match:
            return match.group(1)
    return None


def _matches(family: ChatFamily, tokenizer, bos: str, eos: str) -> str | None:
    """The family's default system prompt if every probe renders identically, else None."""
    from jinja2 import TemplateError

    try:
        rendered = [strip_bos(render_jinja(tokenizer, probe), bos) for probe in PROBES]
    except (TemplateError, ValueError) as error:  # a template may reject a probe (no system role, say)
        logger.debug("chat template rejected a probe conversation: %s", error)
        return None
    default = _default_system(family, rendered[0], eos)
    if default is None:
        return None
    for probe, text in zip(PROBES[1:], rendered[1:], strict=True):
        with_default = probe if probe[0]["role"] == "system" or not default else [
            {"role": "system", "content": default}, *probe]  # fmt: skip
        if family.render(with_default, eos) != text:
            return None
    return default


def fim_format_of(tokenizer) -> FimFormat | None:
    """The FIM family whose prefix, suffix and middle sentinels are tokens (preferring its end token too)."""
    vocab = tokenizer.get_vocab()

    def single(token: str) -> bool:
        token = token.strip()
        return bool(token) and (token in vocab or "▁" + token in vocab)

    candidates = [
        fmt for fmt in FIM_FORMATS.values() if all(map(single, (fmt.prefix, fmt.suffix, fmt.middle)))
    ]
    candidates.sort(key=lambda fmt: not single(fmt.end))
    return candidates[0] if candidates else None


def prompt_layout(tokenizer) -> PromptLayout:
    eos, bos = tokenizer.eos_token or "", tokenizer.bos_token or ""
    fim = fim_format_of(tokenizer)
    if not tokenizer.chat_template:
        return PromptLayout(None, False, fim=fim, eos=eos, bos=bos)
    for family in FAMILIES:
        default = _matches(family, tokenizer, bos, eos)
        if default is not None:
            return PromptLayout(family, True, default, fim, eos, bos)
    warning = (
        "the tokenizer's chat template is none of the layouts codetune translates to Ollama's Go template "
        f"({', '.join(f.name for f in FAMILIES)}): the Modelfile has no TEMPLATE, so Ollama sends prompts "
        "as they are. Write a TEMPLATE by hand before `ollama create` if the model is chatted with."
    )
    logger.warning(warning)
    return PromptLayout(None, True, fim=fim, eos=eos, bos=bos, warnings=(warning,))


def fim_go_template(fim: FimFormat) -> str:
    """Ollama's infill: `.Prompt` is the code before the cursor, `.Suffix` the code after (PSM order)."""
    return f"{fim.prefix}{fim.prefix_lead}{{{{ .Prompt }}}}{fim.suffix}{{{{ .Suffix }}}}{fim.middle}"


def go_template(layout: PromptLayout) -> str | None:
    """The TEMPLATE text, or None when the Modelfile should carry none."""
    if layout.family is None and layout.has_chat_template:
        return None
    chat = layout.family.go_template(layout.eos) if layout.family else "{{ .Prompt }}"
    if layout.fim is None:
        return chat if layout.family else None
    return f"{{{{ if .Suffix }}}}{fim_go_template(layout.fim)}{{{{ else }}}}{chat}{{{{ end }}}}"


def stop_tokens(layout: PromptLayout) -> tuple[str, ...]:
    stops = list(layout.family.stops(layout.eos)) if layout.family else [layout.eos]
    if layout.fim is not None:
        stops.append(layout.fim.end.strip())
    return tuple(dict.fromkeys(stop for stop in stops if stop))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def modelfile_text(gguf_name: str, layout: PromptLayout, num_ctx: int) -> str:
    """The Modelfile; FROM is relative to the Modelfile's folder, as `ollama create -f` resolves it."""
    lines = [f"FROM ./{gguf_name}"]
    template = go_template(layout)
    if template is not None:
        lines.append(f'TEMPLATE """{template}"""')
    if layout.default_system:
        lines.append(f'SYSTEM """{layout.default_system}"""')
    lines += [f"PARAMETER stop {_quoted(stop)}" for stop in stop_tokens(layout)]
    lines.append(f"PARAMETER num_ctx {num_ctx}")
    return "\n".join(lines) + "\n"
