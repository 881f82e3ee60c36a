"""Generic checks of one params value: each names the key, the bad value and what would be valid."""

from typing import Any

from vae_study.core.errors import PipelineError


def describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def section(params: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    """The mapping at ``where + key``, or an error saying what it is instead."""
    value = params.get(key)
    if not isinstance(value, dict):
        raise PipelineError(f"{where}{key} must be a mapping, got {describe(value)}")
    return value


def check_keys(where: str, given: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise PipelineError(f"unknown key {where}.{unknown[0]}; valid keys are: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(given))
    if missing:
        raise PipelineError(f"missing key {where}.{missing[0]}; params.yaml sets every key (see its comments)")


def integer(key: str, value: Any, minimum: int, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        valid = f"an integer >= {minimum}" + (" or null" if allow_none else "")
        raise PipelineError(f"{key} = {describe(value)} is invalid; use {valid}")
    return value


def number(key: str, value: Any, minimum: float, strict: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        bound = ">" if strict else ">="
        raise PipelineError(f"{key} = {describe(value)} is invalid; use a number {bound} {minimum}")
    return float(value)


def choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise PipelineError(f"{key} = {describe(value)} is invalid; use one of {', '.join(choices)}")
    return value


def boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PipelineError(f"{key} = {describe(value)} is invalid; use true or false")
    return value


def positive_list(key: str, value: Any, allow_empty: bool = False) -> tuple[int, ...]:
    if not isinstance(value, list) or not (value or allow_empty):
        kind = "list" if allow_empty else "non-empty list"
        raise PipelineError(f"{key} = {describe(value)} is invalid; use a {kind} of positive integers")
    return tuple(integer(f"{key}[{index}]", item, 1) for index, item in enumerate(value))


def names(key: str, value: Any, allowed: list[str], what: str, allow_empty: bool = False) -> list[str]:
    """A list of distinct names, each one of ``allowed``."""
    if not isinstance(value, list) or not (value or allow_empty) or not all(isinstance(item, str) for item in value):
        kind = "list" if allow_empty else "non-empty list"
        raise PipelineError(f"{key} = {describe(value)} is invalid; use a {kind} of {what} names")
    for item in value:
        if item not in allowed:
            raise PipelineError(f"{key} names {item!r}, which is not a {what}; use one of {', '.join(allowed)}")
    if len(set(value)) != len(value):
        raise PipelineError(f"{key} = {value!r} lists a {what} twice")
    return value
