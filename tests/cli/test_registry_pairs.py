"""Every (variant, dataset) pair `ganlab train` accepts trains, pictures and evaluates.

The pairs are read from the registry when the tests are collected, so a
newly registered variant or dataset is tested without touching this file.
Before, `ganlab train gan --dataset ring` (and grid) trained, then failed
drawing samples.png (no mixture centres were passed: "zero-size array to
reduction operation maximum"), `ganlab eval` did not know lab 02's run
folders (the mixture recorded as a dict) and `ganlab train --help` listed
no variant.
"""

import json

import pytest

from ganlab import cli
from ganlab.cli import registry

PAIRS = [(v, d) for v in sorted(registry.VARIANTS) for d in sorted(registry.DATASETS)
         if registry.usable_pair(v, d)]


def test_the_pairs_cover_every_variant_and_dataset():
    assert {v for v, _ in PAIRS} == set(registry.VARIANTS)
    assert {d for _, d in PAIRS} == set(registry.DATASETS)
    assert ("gan", "ring") in PAIRS and ("gan", "grid") in PAIRS


@pytest.mark.parametrize("variant, dataset", PAIRS)
def test_every_registered_pair_trains_a_tiny_run(tmp_path, capsys, variant, dataset):
    code = cli.main(["train", variant, "--dataset", dataset, "--epochs", "1",
                     "--steps-per-epoch", "2", "--batch-size", "8", "--xla", "off",
                     "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0, err[-2000:]
    run = tmp_path / f"{variant}-{dataset}"
    names = {p.name for p in run.iterdir()}
    assert {"config.json", "metrics.json", "generator.keras", "discriminator.keras",
            "samples.png"} <= names
    assert (run / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_knows_lab_02_run_folders(tmp_path, capsys):
    assert cli.main(["train", "gan", "--dataset", "ring", "--epochs", "1", "--steps-per-epoch",
                     "2", "--batch-size", "8", "--xla", "off", "--out", str(tmp_path)]) == 0
    run = tmp_path / "gan-ring"
    config = json.loads((run / "config.json").read_text())
    # What labs/02_mode_collapse.py records: the mixture as a dict.
    config["mixture"] = {"name": "ring", "num_modes": 8, "radius": 2.0, "std": 0.02}
    (run / "config.json").write_text(json.dumps(config))
    capsys.readouterr()
    assert cli.main(["eval", str(run)]) == 0, capsys.readouterr().err
    figures = json.loads((run / "eval.json").read_text())
    assert figures["num_modes"] == 8 and "modes_covered" in figures


def test_mixture_of_reads_both_records():
    ring = registry.mixture_of({"mixture": {"name": "ring", "num_modes": 6, "radius": 3.0,
                                            "std": 0.1}})
    assert ring.num_modes == 6 and abs(abs(ring.centers).max() - 3.0) < 1e-6
    assert registry.mixture_of({"mixture": "grid"}).num_modes == 25
    assert registry.mixture_of({"mu": 4.0}) is None


def test_train_help_lists_variants_and_datasets(capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["train", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in list(registry.VARIANTS) + list(registry.DATASETS):
        assert f"\n  {name} " in out
