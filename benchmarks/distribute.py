"""Steps/s and peak memory: 1 vs 2 logical CPU devices, float32 vs mixed_bfloat16, XLA on/off.

Models: lab 01's (the stabilised toy GAN of `ganlab.recipes.toy`, global
batch 64) and the DCGAN of `ganlab.nets.dcgan` at 32x32x1 (width 32, global
batch 32). Each configuration runs in its own process, because logical
devices are fixed per process: it builds the model, runs `WARMUP` steps
(tracing, XLA compilation), then times `STEPS` steps of `fit`. Peak memory
is the process's maximum resident set size (ru_maxrss), which includes
TensorFlow itself (~0.5-1 GB).

XLA with 2 CPU replicas is not run: TF 2.21 fails there at graph execution,
which is why `--xla auto` turns it off (`ganlab.training.strategy`).

    python benchmarks/distribute.py            # prints the table, writes
                                               # benchmarks/results/distribute.md
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"lab01": (64, 100, 10), "dcgan32": (32, 8, 2)}  # batch, steps, warmup steps


def measure(model, devices, precision, xla):
    from ganlab.training.strategy import Runtime

    rt = Runtime(devices, precision, xla)
    import resource

    import keras
    import numpy as np
    import tensorflow as tf

    from ganlab.data import toy_dataset
    from ganlab.models import GAN
    from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator
    from ganlab.recipes import toy

    batch, steps, warmup = MODELS[model]
    rng = np.random.default_rng(0)
    with rt.scope():
        if model == "lab01":
            gan = toy.toy_gan(1, total_steps=10_000)
            data = rng.normal(4, 0.5, (20_000, 1)).astype("float32")
        else:
            gan = GAN(dcgan_generator(100, 32, 1, width=32), dcgan_discriminator(32, 1, width=32))
            gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
            data = rng.uniform(-1, 1, (1024, 32, 32, 1)).astype("float32")
    rt.prepare(gan)
    gan.steps_per_execution = 1
    ds = toy_dataset(data, batch, seed=0)
    gan.fit(ds, epochs=1, steps_per_epoch=warmup, verbose=0)
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"steps_per_s": steps / seconds, "peak_mb": peak_mb, "xla": rt.jit_compile,
            "replicas": rt.replicas, "tf": tf.__version__}


CONFIGS = [
    (model, devices, precision, xla)
    for model in MODELS
    for devices in ("cpu", "cpu:2")
    for precision in ("float32", "mixed_bfloat16")
    for xla in ("off", "on")
    if not (devices == "cpu:2" and xla == "on")
]


def main():
    start_load = os.getloadavg()[0]
    rows = []
    for model, devices, precision, xla in CONFIGS:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        cmd = [sys.executable, __file__, "--one", model, devices, precision, xla]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)
            if proc.returncode == 0:
                r = json.loads(proc.stdout.strip().splitlines()[-1])
            else:
                r = {"error": proc.stderr.strip().splitlines()[-1][:80]}
        except subprocess.TimeoutExpired:
            r = {"error": "timed out (240 s)"}
        rows.append((model, devices, precision, xla, r))
        print(model, devices, precision, xla, r, flush=True)
    lines = [
        "| model | devices | precision | XLA | steps/s | peak RSS (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for model, devices, precision, xla, r in rows:
        if "error" in r:
            lines.append(f"| {model} | {devices} | {precision} | {xla} | error: {r['error']} | |")
        else:
            lines.append(f"| {model} | {devices} | {precision} | {xla} | "
                         f"{r['steps_per_s']:.1f} | {r['peak_mb']:.0f} |")
    table = "\n".join(lines)
    end_load = os.getloadavg()[0]
    note = (f"\n{os.cpu_count()} CPU cores; 1-minute load average {start_load:.1f} when the "
            f"benchmark started (above ~0.5: other jobs were using the CPU and the figures are "
            f"inflated) and {end_load:.1f} at its end (mostly the benchmark's own processes). "
            f"TensorFlow {next((r['tf'] for *_, r in rows if 'tf' in r), '?')}.\n")
    print(table + note)
    out = ROOT / "benchmarks" / "results" / "distribute.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("# benchmarks/distribute.py\n\n" + __doc__.split("\n\n")[1] + "\n\n"
                   + table + "\n" + note)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(measure(*sys.argv[2:6])))
    else:
        main()
