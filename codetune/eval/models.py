"""What `--model` names (a Hub id, a local folder, a PEFT adapter folder, a server URL) and the lm-eval
`LM` that runs it on the chosen backend.

lm-eval supplies every backend (`HFLM`, `VLLM`, `LocalCompletionsAPI`); this module only decides which one
and with what arguments, and turns load failures into errors that name the model and say what to do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codetune.definitions.fim_formats import FIM_FORMATS, FimFormat
from codetune.errors import EvaluationError

BACKENDS = ("hf", "vllm", "openai")
SERVER_RETRIES = 3  # urllib3's retry with backoff (0.5, 1, 2 s) before a server counts as not answering
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSpec:
    """One `--model` value, resolved: where its weights (or server) are and what the report calls it."""

    name: str
    source: str  # what the user passed
    kind: str  # hub | folder | adapter | server
    pretrained: str = ""  # Hub id or folder of the full model (the adapter's base for an adapter)
    adapter: str = ""  # PEFT adapter folder
    url: str = ""  # server base URL (.../v1)
    tokenizer: str = ""  # a server's tokenizer (folder or Hub id): lm-eval needs it to window and slice texts

    @property
    def tokenizer_source(self) -> str:
        """Where the tokenizer lives: an adapter folder often carries one (added tokens), else the base."""
        if self.adapter and (Path(self.adapter) / "tokenizer_config.json").is_file():
            return self.adapter
        return self.pretrained


def default_name(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", source.split("://", 1)[1].split("/", 1)[0])
    return Path(source.rstrip("/")).name or source


def resolve_model(source: str, name: str | None = None, tokenizer: str | None = None) -> ModelSpec:
    """Decide what `source` is; a path that does not exist and is no Hub id is an error.

    `tokenizer` is kept for a server only (the others carry their own).
    """
    name = name or default_name(source)
    if source.startswith(("http://", "https://")):
        return ModelSpec(name, source, "server", url=source.rstrip("/"), tokenizer=tokenizer or "")
    path = Path(source).expanduser()
    if path.is_dir():
        adapter_config = path / "adapter_config.json"
        if adapter_config.is_file():
            base = json.loads(adapter_config.read_text()).get("base_model_name_or_path")
            if not base:
                raise EvaluationError(
                    f"model {source}: adapter_config.json has no 'base_model_name_or_path'; "
                    "set it to the base model's Hub id or folder"
                )
            return ModelSpec(name, source, "adapter", pretrained=str(base), adapter=str(path.resolve()))
        if not (path / "config.json").is_file():
            raise EvaluationError(
                f"model {source}: the folder has neither config.json (a model) nor adapter_config.json "
                "(a PEFT adapter); pass a folder written by save_pretrained"
            )
        return ModelSpec(name, source, "folder", pretrained=str(path.resolve()))
    if path.exists():
        raise EvaluationError(f"model {source}: is a file; pass a model folder, a Hub id or a server URL")
    if not _HUB_ID.match(source) or source.startswith((".", "/", "~")):
        raise EvaluationError(
            f"model {source}: no such folder, and not a Hub id (org/name) or a server URL (http://...)"
        )
    return ModelSpec(name, source, "hub", pretrained=source)


def load_tokenizer(spec: ModelSpec):
    """The model's tokenizer; a failure names the model and whether it was the adapter's base."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(spec.tokenizer_source)
    except (OSError, ValueError) as error:
        raise _load_error(spec, error) from error


def _load_error(spec: ModelSpec, error: Exception) -> EvaluationError:
    if spec.kind == "adapter":
        return EvaluationError(
            f"model {spec.source}: the adapter's base model {spec.pretrained!r} (adapter_config.json "
            f"'base_model_name_or_path') cannot be loaded: {error}. Download the base or point the field "
            "at a local copy"
        )
    where = "the Hub (offline, or no such repository?)" if spec.kind == "hub" else "its folder"
    return EvaluationError(f"model {spec.source}: cannot be loaded from {where}: {error}")


def detect_fim_format(tokenizer) -> FimFormat | None:
    """The sentinel family whose every token is one token of this vocabulary, if any."""
    vocabulary = tokenizer.get_vocab()
    for fmt in FIM_FORMATS.values():
        if all(token in vocabulary for token in fmt.special_tokens):
            return fmt
    return None


def make_lm(spec: ModelSpec, backend: str, batch_size: int, seed: int, max_gen_toks: int) -> Any:
    """The lm-eval `LM` for one model on one backend."""
    if spec.kind == "server" or backend == "openai":
        return _server_lm(spec, batch_size, seed, max_gen_toks)
    if backend == "vllm":
        return _vllm_lm(spec, batch_size, seed)
    return _hf_lm(spec, batch_size)


def _hf_lm(spec: ModelSpec, batch_size: int):
    import torch
    from lm_eval.models.huggingface import HFLM

    tokenizer = load_tokenizer(spec)
    arguments: dict[str, Any] = {
        "pretrained": spec.pretrained,
        "tokenizer": tokenizer,
        "batch_size": batch_size,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }
    if spec.adapter:
        arguments["peft"] = spec.adapter
    try:
        return HFLM(**arguments)
    except (OSError, ValueError) as error:
        raise _load_error(spec, error) from error


def _vllm_lm(spec: ModelSpec, batch_size: int, seed: int):
    try:
        from lm_eval.models.vllm_causallms import VLLM
    except ImportError as error:
        raise EvaluationError(f"--backend vllm needs vllm installed (pip install vllm): {error}") from error
    arguments: dict[str, Any] = {"pretrained": spec.pretrained, "batch_size": batch_size, "seed": seed}
    if spec.adapter:
        arguments["lora_local_path"] = spec.adapter
    try:
        return VLLM(**arguments)
    except ModuleNotFoundError as error:
        raise EvaluationError(f"--backend vllm needs vllm installed (pip install vllm): {error}") from error


def served_model_name(url: str) -> str:
    """The first model a server lists at GET /models (what completion requests must name)."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.mount(url, HTTPAdapter(max_retries=Retry(total=SERVER_RETRIES, backoff_factor=0.5)))
    try:
        response = session.get(f"{url}/models", timeout=10)
        response.raise_for_status()
        models = response.json().get("data") or []
    except (requests.RequestException, ValueError) as error:
        raise EvaluationError(
            f"model {url}: the server did not answer GET {url}/models after {SERVER_RETRIES} retries "
            f"({type(error).__name__}); start it, or check the URL (it should end in /v1)"
        ) from error
    if not models:
        raise EvaluationError(f"model {url}: the server lists no models at {url}/models")
    return str(models[0]["id"])


def served_window(tokenizer_source: str) -> int:
    """lm-eval's `max_length` for a server that scores windows as the hf backend does on the same model.

    `HFLM` windows a text into `max_length` tokens, from the model's config (else its tokenizer, else 2048);
    lm-eval's API models keep two of theirs for the context token and the one generated token.
    """
    from lm_eval.models.utils import resolve_max_length
    from transformers import AutoConfig, AutoTokenizer

    try:
        config = AutoConfig.from_pretrained(tokenizer_source)
    except (OSError, ValueError):
        config = None  # a tokenizer-only folder: its model_max_length, else lm-eval's default
    return resolve_max_length(config, AutoTokenizer.from_pretrained(tokenizer_source)) + 2


def _server_lm(spec: ModelSpec, batch_size: int, seed: int, max_gen_toks: int):
    """`local-completions`: prompts sent as text, so generation tasks need no tokenizer.

    Bits per byte does: lm-eval windows a text and finds where the scored part starts in tokens, and
    llama-cpp-python's server has no /tokenize route, so the tokenizer comes from `--tokenizer`.
    """
    from lm_eval.models.openai_completions import LocalCompletionsAPI

    if spec.kind != "server":
        raise EvaluationError(f"--backend openai needs a server URL (http://host:port/v1), got {spec.source}")
    tokenizer: dict[str, Any] = {"tokenizer_backend": None}
    model = served_model_name(spec.url)
    try:
        if spec.tokenizer:
            tokenizer = {"tokenizer_backend": "huggingface", "tokenizer": spec.tokenizer}
            tokenizer["max_length"] = served_window(spec.tokenizer)
        return LocalCompletionsAPI(
            base_url=f"{spec.url}/completions",
            model=model,
            **tokenizer,
            tokenized_requests=False,
            # one prompt per request (`transformers serve` and llama.cpp's server refuse a list of prompts);
            # --batch-size becomes the number of requests in flight
            batch_size=1,
            num_concurrent=batch_size,
            max_retries=SERVER_RETRIES,
            seed=seed,
            max_gen_toks=max_gen_toks,
        )
    except (OSError, ValueError) as error:
        raise EvaluationError(
            f"model {spec.source}: --tokenizer {spec.tokenizer} cannot be loaded: {error}. Pass the served "
            "model's tokenizer folder (for a `codetune export` folder: its merged/)"
        ) from error
