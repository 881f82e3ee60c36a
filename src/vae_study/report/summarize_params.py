"""Reading and validating params.yaml's summarize section: only the report stages use it, so it may change any day."""

from dataclasses import dataclass
from typing import Any

from vae_study.core.analysis_params import check_members, class_names, section_keys
from vae_study.core.errors import PipelineError
from vae_study.core.params import variant_names
from vae_study.core.validate import describe, integer


@dataclass(frozen=True)
class SummarizeParams:
    """How runs are summarised over seeds and which variants are compared seed by seed."""

    loss_window: int
    flat_after: int
    compare: dict[str, dict[str, str]]
    mixes: dict[str, dict[str, list[list[str]]]]


def summarize_params(params: dict[str, Any]) -> SummarizeParams:
    given = section_keys(params, "summarize", SummarizeParams)
    window = integer("summarize.loss_window", given["loss_window"], 1)
    after = integer("summarize.flat_after", given["flat_after"], window)
    compare = given["compare"] or {}
    defined = variant_names(params)
    for label, pair in compare.items() if isinstance(compare, dict) else [(None, None)]:
        if not isinstance(pair, dict) or set(pair) != {"a", "b"}:
            raise PipelineError(
                f"summarize.compare = {describe(compare)} is invalid; use a mapping label -> {{a: variant, b: variant}} "
                "(the comparison reports b minus a)"
            )
        unknown = [name for name in (pair["a"], pair["b"]) if name not in defined]
        if unknown:
            raise PipelineError(f"summarize.compare.{label} names {unknown[0]!r}, which is not a variant; use one of {', '.join(defined)}")
    mixes = given["mixes"] or {}
    if not isinstance(mixes, dict) or not all(
        isinstance(groups, dict) and all(isinstance(pair, list) and len(pair) == 2 for pair in groups.values())
        for groups in mixes.values()
    ):
        raise PipelineError(
            f"summarize.mixes = {describe(mixes)} is invalid; use a mapping dataset -> {{name: [[classes], [classes]]}}"
        )
    for dataset, groups in mixes.items():
        classes = class_names(params, "summarize.mixes", dataset)
        for name, pair in groups.items():
            for index, members in enumerate(pair):
                check_members(f"summarize.mixes.{dataset}.{name}[{index}]", members, classes)
    return SummarizeParams(loss_window=window, flat_after=after, compare=compare, mixes=mixes)
