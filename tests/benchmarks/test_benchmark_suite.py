"""benchmarks/run.py: a smoke pass (no time is asserted) and its references' facts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def test_keras_io_nets_have_the_examples_parameter_counts():
    from references import keras_io_nets

    g, d = keras_io_nets()
    # keras-io dcgan_overriding_train_step.py's model summaries.
    assert d.count_params() == 74_625
    assert g.count_params() == 1_339_905


def test_quick_pass_writes_every_figure(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--variant", "wgan_gp",
         "--variant", "keras_io", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (report,) = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert report["machine"]["cores"] >= 1 and report["matmul_gflops"]["float32"] > 0
    rows = {r["variant"]: r for r in report["rows"]}
    assert set(rows) == {"wgan_gp", "keras_io"}
    for r in rows.values():
        assert "error" not in r, r
        assert r["images_per_s"] > 0 and r["first_step_s"] > 0 and r["max_rss_mb"] > 100
        assert r["gflop_per_step"] > 0 and r["ratio"] > 0 and r["cpu_ratio"] > 0
    assert rows["wgan_gp"]["reference"] == "bare" and rows["keras_io"]["reference"] == "keras_io"
    assert rows["wgan_gp"]["steps_per_execution"] == 50  # the lab's own setting is measured
    assert all(v > 0 for v in report["pipelines"].values())
    assert (tmp_path / next(tmp_path.glob("*.json")).with_suffix(".md").name).exists()


def test_bad_window_is_one_line_and_exit_2():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--windows", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--windows must be > 0" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--against", "no-such-revision", "01_gaussian"], "'no-such-revision' is not a revision"),
    (["99_nothing"], "unknown lab '99_nothing'; the labs are 01_gaussian"),
])
def test_lab_timer_refuses_bad_input_in_one_line(args, message):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "labs.py"), *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["gan", "wgan", "wgan_gp"])
def test_bare_loop_trains_copies_of_both_nets(name):
    # The reference does the variant's updates on copies: both copies move (WGAN's
    # critic stays clipped), the model's own nets do not.
    import numpy as np
    from references import bare_loop
    from variants import VARIANTS

    model = VARIANTS[name]("lab").model
    batch = np.random.default_rng(0).normal(size=(256 * model.d_steps, 2)).astype("float32")
    own = [v.numpy().copy() for v in model.generator.weights + model.discriminator.weights]
    step = bare_loop(model)
    nets = (step.generator, step.discriminator)
    start = [[v.numpy().copy() for v in n.trainable_weights] for n in nets]
    step(batch)
    for net, before in zip(nets, start, strict=True):
        assert any(not np.array_equal(v.numpy(), b)
                   for v, b in zip(net.trainable_weights, before, strict=True)), net.name
    if name == "wgan":
        assert max(np.abs(v.numpy()).max() for v in step.discriminator.trainable_weights) <= 0.01
    after = [v.numpy() for v in model.generator.weights + model.discriminator.weights]
    assert all(np.array_equal(a, b) for a, b in zip(own, after, strict=True))


def test_every_gan_variant_has_a_benchmark():
    # The "one benchmark suite for every variant": each GAN class in ganlab.models is the
    # model of some variant's lab-size case (JointEmbedding, the text encoder's pretraining, is
    # not a GAN).
    from variants import VARIANTS

    import ganlab.models as models

    gans = {c for c in vars(models).values()
            if isinstance(c, type) and issubclass(c, models.GANBase) and c is not models.GANBase}
    built = {type(build("lab").model) for build in VARIANTS.values()}
    assert gans - built == set()


def test_paper_pass_takes_only_the_paper_rows_and_refuses_variants_without_one(capsys):
    import run

    rows = run.configurations(["gan", "dcgan", "srgan"], quick=False, paper=True)
    assert [(r["variant"], r["scale"], r["precision"], r["replicas"]) for r in rows] == [
        ("dcgan", "paper", "float32", 1), ("srgan", "paper", "float32", 1)]
    with pytest.raises(SystemExit) as exit_:
        run.main(["--paper", "--variant", "gan"])
    assert exit_.value.code == 2
    assert "--paper: none of gan has a paper size; those that do: dcgan" in capsys.readouterr().err


def test_precision_pass_refuses_a_variant_without_a_paper_size_in_one_line():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "precision.py"), "--scale",
                           "paper", "--variant", "dcgan", "--variant", "cgan"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].endswith(
        "--variant 'cgan' has no paper-size model; allowed: dcgan, pix2pix, cyclegan, srgan")


def test_precision_axis_takes_only_the_policies_asked_for():
    import run

    def precisions(**kw):
        return [r["precision"] for r in run.configurations(["gan"], quick=False, **kw)]

    assert precisions() == ["float32", "mixed_bfloat16", "mixed_float16", "float32", "float32",
                            "float32"]
    assert precisions(precisions=("mixed_bfloat16",)) == ["float32", "mixed_bfloat16"] + [
        "float32"] * 3


def test_lab_timer_keeps_every_verdict_wherever_on_its_line():
    # Lab 13 prints a verdict per part, each after its figures; a lab that printed none is its exit.
    from labs import verdict

    lines = ["run folder: runs/13_lapgan_text",
             "LAPGAN: confident 0.734; residual mean +0.0002; bar: PASSED",
             "GAN-CLS: digit 0.870, tilt 0.938, weight 0.867 (held-out phrasings)",
             "text: bar: FAILED: digit 0.70 < 0.8"]
    assert verdict(lines, 0) == "bar: PASSED | bar: FAILED: digit 0.70 < 0.8"
    assert verdict(["mean 3.990 (target 4.0)"], 1) == "exit 1"
