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
    python benchmarks/distribute.py --batchnorm
        # the cost of synchronised batchnorm: the DCGAN (float32, XLA off) on
        # 1 and 2 replicas with synchronized_batchnorm off and on, timed in
        # interleaved rounds; writes benchmarks/results/distribute_batchnorm.md
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


BATCHNORM_STEPS, BATCHNORM_ROUNDS = 10, 8


def measure_batchnorm_pair(devices, rounds=BATCHNORM_ROUNDS, steps=BATCHNORM_STEPS):
    """Seconds per round of `steps` DCGAN steps, synchronised batchnorm off and on, interleaved.

    Both models live in one process on the same strategy; after a warm-up
    they take turns (off, on, on, off, ...), so a change in the load of a
    shared machine weighs on both alike.
    """
    from ganlab.training.strategy import Runtime

    rt = Runtime(devices, "float32", "off")
    import keras
    import numpy as np

    from ganlab.data import toy_dataset
    from ganlab.models import GAN
    from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator

    batch = MODELS["dcgan32"][0]
    data = np.random.default_rng(0).uniform(-1, 1, (1024, 32, 32, 1)).astype("float32")
    models = {}
    for sync in ("off", "on"):
        with rt.scope():
            gan = GAN(dcgan_generator(100, 32, 1, width=32, synchronized_batchnorm=sync == "on"),
                      dcgan_discriminator(32, 1, width=32, synchronized_batchnorm=sync == "on"))
            gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
        rt.prepare(gan)
        gan.steps_per_execution = 1
        ds = toy_dataset(data, batch, seed=0)
        gan.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)  # tracing
        models[sync] = (gan, ds)
    seconds = {"off": [], "on": []}
    cpu_seconds = {"off": [], "on": []}
    for r in range(rounds):
        for sync in (("off", "on") if r % 2 == 0 else ("on", "off")):
            gan, ds = models[sync]
            start, cpu_start = time.perf_counter(), time.process_time()
            gan.fit(ds, epochs=1, steps_per_epoch=int(steps), verbose=0)
            seconds[sync].append(time.perf_counter() - start)
            cpu_seconds[sync].append(time.process_time() - cpu_start)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "steps": int(steps),
            "replicas": rt.replicas}


def batchnorm_cost():
    """The cost of synchronised batchnorm, on 1 and 2 replicas.

    For each replica count, one process builds the DCGAN twice (without and
    with `synchronized_batchnorm`), traces both, then times rounds of steps
    of each in turn, interleaved. The table gives the median steps/s of the
    rounds (wall clock) and the median CPU time per step (the process's user
    + system time: the work done, which other jobs on a shared machine
    disturb far less than the wall clock), and the ratios sync / no sync.
    On one device "on" forces `synchronized=True`: the all-reduce is the
    identity and what remains is Keras's one-pass moment computation.
    """
    import statistics

    start_load = os.getloadavg()[0]
    rows = []
    for devices in ("cpu", "cpu:2"):
        r = run_one_pair(devices)
        print(devices, r, flush=True)
        if "error" in r:
            raise SystemExit(f"{devices}: {r['error']}")
        speed = {k: statistics.median(r["steps"] / t for t in v) for k, v in r["seconds"].items()}
        spread = {k: (min(r["steps"] / t for t in v), max(r["steps"] / t for t in v))
                  for k, v in r["seconds"].items()}
        cpu = {k: statistics.median(t / r["steps"] * 1000 for t in v)
               for k, v in r["cpu_seconds"].items()}
        rows.append((r["replicas"], speed, spread, cpu))
    end_load = os.getloadavg()[0]
    header = ("| replicas | synchronised batchnorm | median steps/s (wall) | range over rounds "
              "| sync / no sync (steps/s) | CPU ms per step (median) | sync / no sync (CPU) |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    for replicas, speed, spread, cpu in rows:
        for sync in ("off", "on"):
            ratio = f"{speed['on'] / speed['off']:.2f}" if sync == "on" else ""
            cpu_ratio = f"{cpu['on'] / cpu['off']:.2f}" if sync == "on" else ""
            lines.append(f"| {replicas} | {sync} | {speed[sync]:.2f} | "
                         f"{spread[sync][0]:.2f}-{spread[sync][1]:.2f} | {ratio} | "
                         f"{cpu[sync]:.0f} | {cpu_ratio} |")
    table = "\n".join(lines)
    note = (f"\nDCGAN of `ganlab.nets.dcgan` at 32x32x1 (width 32, global batch "
            f"{MODELS['dcgan32'][0]}), float32, XLA off, Adam; {BATCHNORM_ROUNDS} rounds of "
            f"{BATCHNORM_STEPS} steps per model. {os.cpu_count()} CPU cores shared with other "
            f"jobs: 1-minute load average {start_load:.1f} at the start, {end_load:.1f} at the "
            "end; read the ratios, not the absolute speeds.\n")
    print(table + note)
    doc = batchnorm_cost.__doc__.split("\n\n")[1].replace("    ", "")
    out = ROOT / "benchmarks" / "results" / "distribute_batchnorm.md"
    out.write_text("# benchmarks/distribute.py --batchnorm\n\n" + doc + "\n\n" + table + "\n" + note)


def run_one_pair(devices, timeout=600):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    cmd = [sys.executable, __file__, "--bn-pair", devices]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout,
                              env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out ({timeout} s)"}
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1][:80]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(measure(*sys.argv[2:6])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--bn-pair":
        print(json.dumps(measure_batchnorm_pair(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--batchnorm":
        batchnorm_cost()
    else:
        main()
