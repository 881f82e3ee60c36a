"""Every measure is declared once (src/vae_study/report/measures.py): summarize records only declared ones, claims
name only declared ones, and docs/pipeline.md lists the declarations."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_ROOT

from vae_study.core.errors import PipelineError
from vae_study.report.claims import CLAIMS
from vae_study.report.measures import REGISTRY, Run, check_registered, computed, entry


def _committed_metrics() -> set[str]:
    names = set()
    for path in (PROJECT_ROOT / "metrics" / "summary").glob("*.json"):
        names |= set(json.loads(path.read_text())) - {"seeds"}
    for comparison in json.loads((PROJECT_ROOT / "metrics" / "comparisons.json").read_text()).values():
        names |= {name for name, value in comparison.items() if isinstance(value, dict)}
    return names


def test_every_committed_measure_is_declared_and_every_declaration_is_used():
    names = _committed_metrics()
    assert names and not [name for name in names if entry(name) is None]
    unused = [found.name for found in REGISTRY if not any(found.matches(name) for name in names)]
    assert unused == [], f"declared but never recorded: {unused}"


def test_a_claim_names_declared_measures_only():
    for claim in CLAIMS:
        for measure in (*claim.vote, *claim.context):
            assert entry(measure.metric) is not None, f"{claim.id}: {measure.metric} is declared nowhere"
    assert entry("latent.knn_acuracy") is None  # a misspelt name matches nothing


def test_a_family_name_resolves_to_its_most_specific_declaration():
    assert entry("classes.mix.cars_trucks_chance").name == "classes.mix.{mix}_chance"
    assert entry("classes.mix.cars_trucks").name == "classes.mix.{mix}"
    assert entry("latent.knn_over_chance").name == "latent.knn_over_chance"
    assert entry("latent.knn_vehicles_animals_over_chance").name == "latent.knn_{groups}_over_chance"


def test_summarize_stops_on_an_undeclared_measure_and_computes_declared_ones():
    with pytest.raises(PipelineError, match="latent.made_up, which src/vae_study/report/measures.py does not declare"):
        check_registered({"test.mse": 0.1, "latent.made_up": 1.0})
    steps = np.arange(3000)
    loss = 10 + 100 * np.exp(-steps / 200)
    halfway = (loss[:10].mean() + loss[-500:].mean()) / 2  # from the first 10 batches' mean to the last 500's
    run = Run(pd.DataFrame({"step": steps, "loss": loss}), {"test": {"mse": 0.05}}, {"image_values": 784},
              SimpleNamespace(loss_window=500))
    assert computed(run) == {"test.squared_error_per_image": pytest.approx(0.05 * 784),
                             "curve.half_batch": pytest.approx(-200 * np.log((halfway - 10) / 100), abs=1.5)}
