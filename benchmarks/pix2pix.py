"""Throughput and peak memory of the pix2pix train step (Pix2Pix + U-Net + PatchGAN).

Configurations (issue 14): 64x64 with width 64 (U-Net ngf = PatchGAN ndf =
64, the 70x70 PatchGAN, n_layers = 3), batch 1 and 16; and the reference
256x256 nets (`unet_256`, 54.4M parameters; the 70x70 PatchGAN, 2.8M), batch
1 as in the paper. RGB to RGB. Each configuration runs in a fresh
subprocess: warm-up steps (tracing), then `--steps` timed train steps on a
fixed pair of random batches held on the device, so the input pipeline is
not measured. Peak memory is the subprocess's maximum resident set size
(`ru_maxrss`; on a CPU it includes the TensorFlow runtime, about 0.5-0.7 GB);
on a GPU the device's peak is reported too.

Prints a Markdown table and writes it to benchmarks/results/pix2pix.md.

    python benchmarks/pix2pix.py              # the 3 configurations
    python benchmarks/pix2pix.py --steps 10
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "pix2pix.md"
CONFIGS = [(64, 1), (64, 16), (256, 1)]


def measure(size, batch, steps, warmup):
    """Run in the subprocess: time `steps` train steps, return a dict."""
    import resource

    import keras
    import tensorflow as tf

    import ganlab
    from ganlab.models import Pix2Pix
    from ganlab.nets import patchgan_discriminator, unet_generator

    ganlab.seed(0)
    model = Pix2Pix(unet_generator(size, 3, 3, ngf=64, seed=0),
                    patchgan_discriminator(size, 6, n_layers=3, ndf=64), seed=0)
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    x = tf.random.uniform((batch, size, size, 3), -1.0, 1.0)
    y = tf.random.uniform((batch, size, size, 3), -1.0, 1.0)
    data = tf.data.Dataset.from_tensors((x, y)).repeat()
    t0 = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - t0
    result = {
        "size": size, "batch": batch, "steps": steps,
        "images_per_s": steps * batch / seconds, "ms_per_step": 1000 * seconds / steps,
        "warmup_s": warm, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
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
        size, batch = json.loads(args.one)
        print("RESULT " + json.dumps(measure(size, batch, args.steps, args.warmup)))
        return
    rows, start_load = [], os.getloadavg()[0]
    for size, batch in CONFIGS:
        cmd = [sys.executable, __file__, "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--one", json.dumps([size, batch])]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        line = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
        if proc.returncode or not line:
            rows.append({"size": size, "batch": batch,
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
        return f"| {r['size']} | {r['batch']} | failed: {r['error']} | | | |"
    gpu = f" (GPU peak {r['gpu_peak_mb']:.0f})" if "gpu_peak_mb" in r else ""
    return (f"| {r['size']}x{r['size']} | {r['batch']} | {r['images_per_s']:.1f} | "
            f"{r['ms_per_step']:.0f} | {r['warmup_s']:.1f} | {r['max_rss_mb']:.0f}{gpu} |")


def _table(rows, args, start_load):
    import tensorflow as tf

    head = [
        "# pix2pix train step: throughput and peak memory",
        "",
        f"`python benchmarks/pix2pix.py --steps {args.steps} --warmup {args.warmup}`; "
        f"{time.strftime('%Y-%m-%d')}, TensorFlow {tf.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"GPUs: {len(tf.config.list_physical_devices('GPU'))}; 1-minute load average "
        f"{start_load:.1f} when it started (above ~0.5: other jobs shared the CPU and the "
        "figures are inflated).",
        "One step = G(x) once, one D update on (x, y) and (x, G(x)), one G update "
        "(non-saturating + 100 L1); U-Net ngf 64 and 70x70 PatchGAN ndf 64, RGB to RGB, "
        "XLA off. Images/s counts the pairs of the batch per second. Peak memory: max RSS "
        "of the measuring process (MB).",
        "",
        "| image | batch | images/s | ms/step | warm-up s | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + [_row(r) for r in rows]) + "\n"


if __name__ == "__main__":
    main()
