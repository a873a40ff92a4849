"""SPDX license ids and expressions in canonical form: what a license allowlist is checked with."""

from __future__ import annotations

import functools

from license_expression import ExpressionError, get_spdx_licensing


@functools.lru_cache(maxsize=1)
def _licensing():
    return get_spdx_licensing()


def normalize_expression(expression: str) -> str:
    """The canonical SPDX form (`mit or apache-2.0` → `MIT OR Apache-2.0`); ValueError if it is not SPDX."""
    try:
        parsed = _licensing().parse(expression.replace("/", " OR "), validate=True, strict=True)
    except ExpressionError as error:
        raise ValueError(f"{expression!r} is not an SPDX license expression ({error})") from error
    if parsed is None:
        raise ValueError(f"{expression!r} is empty; give an SPDX license id such as MIT")
    return parsed.render()


def normalize_license_id(license_id: str) -> str:
    """One SPDX license id in canonical form; ValueError naming it if it is unknown or an expression."""
    if not isinstance(license_id, str) or not license_id.strip():
        raise ValueError(f"{license_id!r} is not an SPDX license id")
    normalized = normalize_expression(license_id)
    if " " in normalized:
        raise ValueError(f"{license_id!r} is an expression; list single SPDX ids such as MIT")
    return normalized
