"""Throughput and peak memory of the DCGAN train step (ganlab GAN + DCGAN nets).

For each configuration (image side 32 or 64, batch 64 or 256, XLA on or off,
i.e. `compile(..., jit_compile=True/False)`) a fresh subprocess builds the
nets (latent 100, width 64, 3 channels: at 64x64 the reference DCGAN),
runs warm-up steps (tracing, XLA compilation), then times `--steps` train
steps on a fixed batch of random images held on the device, so the input
pipeline is not measured. Peak memory is the subprocess's maximum resident
set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`), which on a CPU
includes the TensorFlow runtime itself (about 0.5-0.7 GB); on a GPU
`tf.config.experimental.get_memory_info("GPU:0")["peak"]` is reported too.

Prints a Markdown table and writes it to benchmarks/results/dcgan.md.

    python benchmarks/dcgan.py               # all 8 configurations
    python benchmarks/dcgan.py --steps 20    # longer timing
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "dcgan.md"
CONFIGS = [(size, batch, xla) for size in (32, 64) for batch in (64, 256) for xla in (False, True)]


def measure(size, batch, xla, steps, warmup):
    """Run in the subprocess: time `steps` train steps, return a dict."""
    import resource

    import keras
    import tensorflow as tf

    import ganlab
    from ganlab.models import GAN
    from ganlab.nets import dcgan_discriminator, dcgan_generator

    ganlab.seed(0)
    gan = GAN(dcgan_generator(100, size, 3, 64), dcgan_discriminator(size, 3, 64), seed=0)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5),
                jit_compile=xla)
    images = tf.random.uniform((batch, size, size, 3), -1.0, 1.0)
    data = tf.data.Dataset.from_tensors(images).repeat()
    t0 = time.perf_counter()
    gan.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - t0
    result = {
        "size": size, "batch": batch, "xla": xla, "steps": steps,
        "images_per_s": steps * batch / seconds, "ms_per_step": 1000 * seconds / steps,
        "warmup_s": warm,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if tf.config.list_physical_devices("GPU"):
        result["gpu_peak_mb"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=5, help="timed steps per configuration (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)  # subprocess mode
    args = p.parse_args()
    if args.one:
        size, batch, xla = json.loads(args.one)
        print("RESULT " + json.dumps(measure(size, batch, xla, args.steps, args.warmup)))
        return
    rows, start_load = [], os.getloadavg()[0]
    for size, batch, xla in CONFIGS:
        cmd = [sys.executable, __file__, "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--one", json.dumps([size, batch, xla])]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        line = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
        if proc.returncode or not line:
            rows.append({"size": size, "batch": batch, "xla": xla,
                         "error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
        else:
            rows.append(json.loads(line[0][7:]))
        print(_row(rows[-1]), flush=True)
    table = _table(rows, args, start_load)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    print(f"\n{table}\nwritten to {RESULTS}")


def _row(r):
    if "error" in r:
        return f"| {r['size']} | {r['batch']} | {'on' if r['xla'] else 'off'} | failed: {r['error']} | | | |"
    gpu = f" (GPU peak {r['gpu_peak_mb']:.0f})" if "gpu_peak_mb" in r else ""
    return (f"| {r['size']}x{r['size']} | {r['batch']} | {'on' if r['xla'] else 'off'} | "
            f"{r['images_per_s']:.0f} | {r['ms_per_step']:.0f} | {r['warmup_s']:.1f} | "
            f"{r['max_rss_mb']:.0f}{gpu} |")


def _table(rows, args, start_load):
    import tensorflow as tf

    head = [
        "# DCGAN train step: throughput and peak memory",
        "",
        f"`python benchmarks/dcgan.py --steps {args.steps} --warmup {args.warmup}`; "
        f"{time.strftime('%Y-%m-%d')}, TensorFlow {tf.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"GPUs: {len(tf.config.list_physical_devices('GPU'))}; 1-minute load average "
        f"{start_load:.1f} when it started (above ~0.5: other jobs shared the CPU and the "
        "figures are inflated).",
        "One step = one D update on a real and a fake batch + one G update (GAN, "
        "Algorithm 1, k = 1); latent 100, width 64, RGB. Images/s counts real images of "
        "the batch per second. Peak memory: max RSS of the measuring process (MB).",
        "",
        "| image | batch | XLA | images/s | ms/step | warm-up s | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + [_row(r) for r in rows]) + "\n"


if __name__ == "__main__":
    main()
