"""The subprocess harness of the train-step benchmarks (pix2pix, SRGAN).

Each configuration runs in a fresh subprocess (so one's peak memory is its
own): warm-up steps (tracing), then `--steps` timed train steps on a fixed
batch held on the device, so the input pipeline is not measured. Peak memory
is the subprocess's maximum resident set size (`ru_maxrss`; on a CPU it
includes the TensorFlow runtime, about 0.5-0.7 GB); on a GPU the device's
peak is reported too. A benchmark script gives its configurations (JSON
lists), a `measure(*config, steps, warmup)` that builds and times one, and
its table's title and notes.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time


def time_fit(model, data, batch, steps, warmup):
    """Time `steps` train steps of `model.fit` on an endless dataset, after `warmup` steps.

    Returns:
        dict: steps, images_per_s (batch * steps / s), ms_per_step, warmup_s,
        max_rss_mb and, on a GPU, gpu_peak_mb.
    """
    import resource

    import tensorflow as tf

    t0 = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - t0
    result = {"steps": steps, "images_per_s": steps * batch / seconds,
              "ms_per_step": 1000 * seconds / steps, "warmup_s": warm,
              "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if tf.config.list_physical_devices("GPU"):
        result["gpu_peak_mb"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return result


def row(r, keys):
    """One Markdown row: the configuration's `keys`, then the figures (or the error)."""
    head = " | ".join(str(r[k]) for k in keys)
    if "error" in r:
        return f"| {head} | failed: {r['error']} | | | |"
    gpu = f" (GPU peak {r['gpu_peak_mb']:.0f})" if "gpu_peak_mb" in r else ""
    return (f"| {head} | {r['images_per_s']:.1f} | {r['ms_per_step']:.0f} | {r['warmup_s']:.1f} | "
            f"{r['max_rss_mb']:.0f}{gpu} |")


def main(script, doc, configs, keys, measure, results, title, notes, default_steps=5):
    """Run every configuration in its own subprocess; print and write the Markdown table.

    Args:
        script: the benchmark's `__file__` (run again with `--one CONFIG`).
        doc: its docstring (the first line describes it).
        configs: list of configurations, each a list of JSON values.
        keys: the names of a configuration's values (the table's first columns).
        measure: callable (*config, steps, warmup) -> dict of `time_fit`'s figures.
        results: the Markdown file to write.
        title, notes: the table's heading and what one step is.
    """
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--steps", type=int, default=default_steps,
                   help=f"timed steps per configuration (default {default_steps})")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)  # subprocess mode
    args = p.parse_args()
    if args.one:
        config = json.loads(args.one)
        figures = measure(*config, steps=args.steps, warmup=args.warmup)
        print("RESULT " + json.dumps({**dict(zip(keys, config, strict=True)), **figures}))
        return
    rows, start_load = [], os.getloadavg()[0]
    for config in configs:
        cmd = [sys.executable, script, "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--one", json.dumps(config)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        line = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
        if proc.returncode or not line:
            rows.append({**dict(zip(keys, config, strict=True)),
                         "error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
        else:
            rows.append(json.loads(line[0][7:]))
        print(row(rows[-1], keys), flush=True)
    import tensorflow as tf

    head = [
        f"# {title}",
        "",
        f"`python benchmarks/{os.path.basename(script)} --steps {args.steps} --warmup {args.warmup}`; "
        f"{time.strftime('%Y-%m-%d')}, TensorFlow {tf.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"GPUs: {len(tf.config.list_physical_devices('GPU'))}; 1-minute load average "
        f"{start_load:.1f} when it started (above ~0.5: other jobs shared the CPU and the "
        "figures are inflated).",
        notes,
        "",
        "| " + " | ".join(keys) + " | images/s | ms/step | warm-up s | peak RSS MB |",
        "|" + "---|" * (len(keys) + 4),
    ]
    table = "\n".join(head + [row(r, keys) for r in rows]) + "\n"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(table)
    print(f"\n{table}\nwritten to {results}")
