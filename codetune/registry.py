"""Find an ecosystem by name, by builder module path, by YAML/JSON definition, or from ad-hoc sources."""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import yaml

from codetune.ecosystem import Ecosystem, Source
from codetune.errors import EcosystemConfigError

DEFINITION_SUFFIXES = (".py", ".yaml", ".yml", ".json")
DEFAULT_ECOSYSTEM = "example"


def _module_ecosystem(module: ModuleType, origin: str) -> Ecosystem:
    ecosystem = getattr(module, "ECOSYSTEM", None)
    if not isinstance(ecosystem, Ecosystem):
        raise EcosystemConfigError(f"{origin}: a builder module must define ECOSYSTEM = Ecosystem(...)")
    return ecosystem


def registered_modules() -> dict[str, str]:
    """Ecosystem name → module of every builder module in the `dataset_scripts` package."""
    import dataset_scripts

    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(dataset_scripts.__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module_name = f"dataset_scripts.{info.name}"
        ecosystem = getattr(importlib.import_module(module_name), "ECOSYSTEM", None)
        if isinstance(ecosystem, Ecosystem):
            found[ecosystem.name] = module_name
    return found


def load_module_from_path(path: Path) -> ModuleType:
    name = f"codetune_ecosystem_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise EcosystemConfigError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_definition_file(path: Path) -> Ecosystem:
    if path.suffix == ".py":
        return _module_ecosystem(load_module_from_path(path), str(path))
    try:
        data = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise EcosystemConfigError(f"{path}: not valid {path.suffix[1:].upper()}: {error}") from error
    try:
        return Ecosystem.from_dict(data)
    except EcosystemConfigError as error:
        raise EcosystemConfigError(f"{path}: {error}") from error


def is_ecosystem_reference(argument: str) -> bool:
    path = Path(argument)
    if path.suffix in DEFINITION_SUFFIXES and path.is_file():
        return True
    return not path.exists() and "/" not in argument and ":" not in argument


def load_ecosystem(reference: str) -> Ecosystem:
    """A registered name (`example`, `near-ast`) or a path to a builder module / YAML / JSON definition."""
    path = Path(reference)
    if path.suffix in DEFINITION_SUFFIXES and path.is_file():
        return load_definition_file(path)
    modules = registered_modules()
    if reference not in modules:
        raise EcosystemConfigError(
            f"unknown ecosystem {reference!r}: not a file and not a registered name; known: {sorted(modules)}"
        )
    return _module_ecosystem(importlib.import_module(modules[reference]), modules[reference])


def adhoc_ecosystem(specs: list[str], name: str = "adhoc", allow_any_license: bool = False) -> Ecosystem:
    """An ecosystem of PATH_OR_URL[@REV] sources with every default setting."""
    from codetune.sources import parse_source_spec

    sources = []
    for spec in specs:
        parsed = parse_source_spec(spec)
        sources.append(
            Source(location=parsed.location, revision=parsed.revision, allow_license=allow_any_license)
        )
    return Ecosystem(name=name, sources=tuple(sources), description="Ad-hoc build of the given repositories.")
