"""One benchmark for every ganlab variant: train-step speed, memory, FLOPs, against references.

    python benchmarks/run.py                      # every variant, every configuration
    python benchmarks/run.py --variant dcgan --variant keras_io
    python benchmarks/run.py --quick              # smoke pass: each variant once, tiny
    python benchmarks/run.py --paper              # the paper-size rows alone (-paper.json / .md)
    python benchmarks/run.py --out DIR            # results elsewhere (default benchmarks/results)

For each variant (`variants.VARIANTS`) at its lab's size, and at the
paper's where the machine allows (`variants.PAPER_SCALE`), a fresh
subprocess per configuration (logical devices and the dtype policy are fixed
per process, and each one's peak memory is its own) builds the model under
`ganlab.training.strategy.Runtime` (the labs' runtime), then reports:

* images/s: training images per second, the median of `--windows` timed
  windows of about `--seconds` each, after warm-up; the spread (min-max) too;
* first_step_s: wall time of the first `fit` call (one execution: tracing,
  XLA compilation, the first steps);
* max_rss_mb: the process's peak resident memory (TensorFlow included);
* gflop_per_step: the train step's floating-point operations, counted by
  TensorFlow's profiler on the traced step (`float_operation`; forward,
  backward and optimizer ops), and the GFLOP/s achieved, also as a share
  of the `tf.matmul` peak measured in the same run (float32 and bfloat16,
  4096x4096);
* for the toy GANs and keras-io's nets, the reference (`references.py`) in
  the same process, its windows interleaved with ganlab's, and the ratio
  ganlab / reference of the medians.

Configurations: the base (float32, XLA off, the lab's steps_per_execution,
one replica) and one change at a time: mixed_bfloat16, mixed_float16, XLA
on, another steps_per_execution, two replicas (two logical CPU devices, the
same global batch). The labs' input pipelines are timed alone (batches/s of
iterating the `tf.data` pipeline) to show they are not the bottleneck.

Results: benchmarks/results/<machine>.json and <machine>.md, with the CPU
model, core count, library versions and the load average at the start and
end (on a shared machine compare ratios from one run, not absolute times).
No test asserts a time; `make test` runs `--quick` as a smoke test.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BASE = {"precision": "float32", "xla": False, "spe": None, "replicas": 1}
MIXED = ("mixed_bfloat16", "mixed_float16")  # the precision axis's policies, set against float32
REFERENCED = {"lab01": "bare", "gan": "bare", "wgan": "bare", "wgan_gp": "bare", "keras_io": "keras_io"}


def machine():
    """CPU model, cores, GPUs and versions; and a file-name slug for them."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        flags = Path("/proc/cpuinfo").read_text()
        bf16 = "avx512_bf16" in flags or "amx_bf16" in flags
    except OSError:
        bf16 = False
    import keras
    import tensorflow as tf

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    info = {"cpu": cpu, "cores": os.cpu_count(), "avx512_bf16": bf16, "gpus": gpus,
            "python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__}
    slug = re.sub(r"[^a-z0-9]+", "-", f"{cpu} {os.cpu_count()} cores".lower()).strip("-")
    return info, slug


def configurations(variants, quick, axes=None, paper=False, precisions=MIXED):
    """The configurations to run: per variant the base and one change at a time.

    `precisions`: the dtype policies set against float32 on the precision
    axis (mixed_float16 runs at about 1 img/s on keras-io's nets on an AMX
    Xeon: a full run there stalls on it).

    `paper`: only the paper-size base configuration of the variants that
    have one.

    `axes`: the variants that get every change (None: all of them); the
    others get their base configuration only.
    """
    from variants import PAPER_SCALE

    out = []
    if paper:
        return [{"variant": name, "scale": "paper", "batch": None, **BASE}
                for name in variants if name in PAPER_SCALE]
    for name in variants:
        base = {"variant": name, "scale": "lab", "batch": None, **BASE}
        if quick or (axes is not None and name not in axes):
            out.append(base)
            continue
        out.append(base)
        out += [{**base, "precision": p} for p in precisions]
        out += [{**base, "xla": True}, {**base, "spe": "other"}, {**base, "replicas": 2}]
        if name == "keras_io":
            out += [{**c, "batch": 256} for c in list(out) if c["variant"] == name]
        if name in PAPER_SCALE:
            out.append({**base, "scale": "paper"})
    return out


# ------------------------------------------------------------- in the subprocess
def count_flops(model, data):
    """(GFLOP, graph ops) of one train step, by TensorFlow's profiler on the traced step."""
    import tensorflow as tf
    from tensorflow.python.profiler import model_analyzer, option_builder

    batch = next(iter(data))
    spec = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), batch)
    graph = tf.function(model.train_step).get_concrete_function(spec).graph
    options = option_builder.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    flops = model_analyzer.profile(graph, options=options).total_float_ops / 1e9
    return flops, len(graph.get_operations())


def _timed(run, steps):
    """(wall seconds, CPU seconds of this process) of `run(steps)`."""
    t0, c0 = time.perf_counter(), time.process_time()
    run(steps)
    return time.perf_counter() - t0, time.process_time() - c0


def _fit_window(model, data, steps):
    return _timed(lambda n: model.fit(data, epochs=1, steps_per_epoch=n, verbose=0), steps)


def _reference(kind, case, rt):
    """A callable running `steps` steps of the reference; None for variants without one."""
    if kind is None:
        return None
    if kind == "bare":
        from references import bare_loop

        step = bare_loop(case.model, jit_compile=bool(rt.jit_compile))
        batch = next(iter(case.data))

        def run(steps):
            for _ in range(steps):
                loss = step(batch)
            float(loss)
        return lambda steps: _timed(run, steps)
    import keras
    from references import KerasIOGAN

    with rt.scope():
        g, d = (keras.models.clone_model(n)
                for n in (case.model.generator, case.model.discriminator))
        ref = KerasIOGAN(g, d)
        ref.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4),
                    jit_compile=bool(rt.jit_compile),
                    steps_per_execution=case.model.steps_per_execution)
    ref.built = True
    return lambda steps: _fit_window(ref, case.data, steps)


def measure(config, windows, window_seconds):
    """Build and time one configuration; returns its figures (run in a subprocess)."""
    import resource

    from ganlab.training.strategy import Runtime

    rt = Runtime(None if config["replicas"] == 1 else f"cpu:{config['replicas']}",
                 config["precision"], "on" if config["xla"] else "off")
    from variants import VARIANTS, seed_everything

    seed_everything()
    kwargs = {"batch": config["batch"]} if config["batch"] else {}
    with rt.scope():
        case = VARIANTS[config["variant"]](config["scale"], **kwargs)
    model = rt.prepare(case.model)
    lab_spe = int(model.steps_per_execution)
    if config["spe"] == "other":
        model.steps_per_execution = 1 if lab_spe > 1 else 20
    spe = int(model.steps_per_execution)
    result = {"steps_per_execution": spe, "lab_steps_per_execution": lab_spe,
              "images_per_step": case.images_per_step, "notes": case.notes}
    if config["replicas"] == 1 and config["precision"] == "float32" and not config["xla"]:
        result["gflop_per_step"], result["ops_per_step"] = count_flops(model, case.data)
    result["first_step_s"] = _fit_window(model, case.data, spe)[0]
    warm = max(spe, 4 - 4 % spe)
    seconds = _fit_window(model, case.data, warm)[0]  # warm-up; sizes the windows
    n = max(1, round(window_seconds * warm / seconds / spe)) * spe  # whole executions
    ref = _reference(REFERENCED.get(config["variant"]), case, rt)
    if ref is not None:
        ref(n)
    ours, theirs = [], []
    for _ in range(windows):
        ours.append(_fit_window(model, case.data, n))
        if ref is not None:
            theirs.append(ref(n))
    images = n * case.images_per_step
    wall = [images / w for w, _ in ours]
    result.update(images_per_s=statistics.median(wall), images_per_s_min=min(wall),
                  images_per_s_max=max(wall),
                  steps_per_s=statistics.median(wall) / case.images_per_step,
                  images_per_cpu_s=statistics.median(images / c for _, c in ours),
                  timed_steps=n, windows=windows)
    if theirs:
        # Both ratios: wall time (what a student waits) and CPU time (the work done;
        # steadier when other jobs share the machine).
        result.update(reference=REFERENCED[config["variant"]],
                      reference_images_per_s=statistics.median(images / w for w, _ in theirs),
                      reference_images_per_cpu_s=statistics.median(images / c for _, c in theirs))
        result.update(ratio=result["images_per_s"] / result["reference_images_per_s"],
                      cpu_ratio=result["images_per_cpu_s"] / result["reference_images_per_cpu_s"])
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def matmul_peak(n=4096, repeats=5):
    """GFLOP/s of an n x n x n `tf.matmul` in float32 and bfloat16 (median of repeats)."""
    import tensorflow as tf

    out = {}
    for dtype in ("float32", "bfloat16"):
        a = tf.random.normal((n, n), dtype="float32")
        a = tf.cast(a, dtype)
        tf.matmul(a, a).numpy()
        rates = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            tf.matmul(a, a).numpy()
            rates.append(2 * n**3 / (time.perf_counter() - t0) / 1e9)
        out[dtype] = statistics.median(rates)
    return out


def pipeline_rate(make, batches=200):
    """Images/s of iterating one of the labs' input pipelines alone."""
    it = iter(make())
    next(it)
    t0 = time.perf_counter()
    for _ in range(batches):
        batch = next(it)
    first = batch[0] if isinstance(batch, tuple) else batch
    return batches * int(first.shape[0]) / (time.perf_counter() - t0)


def child(job):
    """Subprocess entry: one job (a configuration, the matmul peak or the pipelines)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if job["kind"] == "peak":
        return matmul_peak(job.get("n", 4096))
    if job["kind"] == "pipelines":
        from variants import PIPELINES

        return {name: pipeline_rate(make) for name, make in PIPELINES.items()}
    results = []
    for config in job["configs"]:
        try:
            results.append({**config, **measure(config, job["windows"], job["seconds"])})
        except Exception as e:  # a configuration that cannot run here is reported, not fatal
            results.append({**config, "error": f"{type(e).__name__}: {str(e).splitlines()[0]}"})
    return results


def spawn(job):
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(job)],
                          capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    line = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
    if proc.returncode or not line:
        tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise RuntimeError(f"benchmark subprocess failed: {tail}")
    return json.loads(line[-1][7:])


# ------------------------------------------------------------------ the report
def _config_name(r):
    parts = [r["precision"]]
    parts.append("XLA" if r["xla"] else "no XLA")
    parts.append(f"spe {r.get('steps_per_execution', '?')}")
    parts.append(f"{r['replicas']} replica" + ("s" if r["replicas"] > 1 else ""))
    if r["scale"] == "paper":
        parts.append("paper size")
    if r.get("batch"):
        parts.append(f"batch {r['batch']}")
    return ", ".join(parts)


H100 = {"bf16_tflops": 989.0, "tf32_tflops": 495.0, "launch_us": 5.0, "efficiency": 0.4}
"""H100 SXM dense tensor-core peaks (NVIDIA's datasheet), the per-kernel cost assumed for
TensorFlow's GPU executor, and the share of peak a well-fed convolution reaches."""


def _case(r):
    """(variant, scale, batch): the rows that share nets, batch and so FLOPs."""
    return r["variant"], r["scale"], r.get("batch")


def gpu_estimate(rows):
    """What each variant's step should reach on an H100-class GPU, worked from its FLOPs.

    Two bounds: compute (FLOPs at `efficiency` of the bfloat16 tensor-core
    peak, mixed precision) and launches (one kernel per graph op at
    `launch_us`, XLA off; XLA fuses elementwise ops, roughly dividing the
    count by 3). The step takes at least the larger.
    """
    out = ["On paper, an H100-class GPU (bf16 tensor cores "
           f"{H100['bf16_tflops']:.0f} TFLOP/s dense, {100 * H100['efficiency']:.0f}% of it "
           f"achieved; {H100['launch_us']:.0f} us per kernel launch, one per graph op without "
           "XLA, a third as many with XLA's fusion):", "",
           "| variant | size | GFLOP/step | ops/step | compute ms | launch ms (XLA off / on) | "
           "bound | steps/s expected (XLA on) |", "|---|---|---|---|---|---|---|---|"]
    seen = set()
    for r in rows:
        if "gflop_per_step" not in r or _case(r) in seen:
            continue
        seen.add(_case(r))
        compute = r["gflop_per_step"] / (H100["bf16_tflops"] * H100["efficiency"])
        launch = r["ops_per_step"] * H100["launch_us"] / 1000
        fused = launch / 3
        bound = "compute" if compute > fused else "launches"
        out.append(f"| {r['variant']} | {r['scale']}{' batch ' + str(r['batch']) if r.get('batch') else ''}"
                   f" | {r['gflop_per_step']:.2f} | {r['ops_per_step']} | {compute:.3f} | "
                   f"{launch:.1f} / {fused:.1f} | {bound} | {1000 / max(compute, fused):.0f} |")
    return out


def _rate(x):
    """A per-second figure: whole numbers from 100, three significant digits below (paper sizes)."""
    return f"{x:.0f}" if x >= 100 else f"{x:.3g}"


def markdown(report, command):
    m, peak = report["machine"], report["matmul_gflops"]
    lines = [
        "# benchmarks/run.py", "",
        f"`{command}` on {report['date']}: {m['cpu']}, {m['cores']} cores "
        f"(AVX-512 BF16: {'yes' if m['avx512_bf16'] else 'no'}), GPUs: {len(m['gpus'])}; "
        f"Python {m['python']}, TensorFlow {m['tensorflow']}, Keras {m['keras']}. 1-minute "
        f"load average {report['load'][0]:.1f} at the start, {report['load'][1]:.1f} at the "
        "end (the machine is shared: compare ratios within this run).", "",
        f"`tf.matmul` peak (4096^3, the larger of the start's and the end's): float32 "
        f"{peak['float32']:.0f} GFLOP/s, bfloat16 {peak['bfloat16']:.0f} GFLOP/s. Ratios are "
        "ganlab's median images/s over the reference's, windows interleaved in one process: "
        "by wall time, and by this process's CPU time (steadier when other jobs share the "
        "machine).", "",
        "| variant | configuration | images/s (min-max) | steps/s | first step s | "
        "GFLOP/step | GFLOP/s (% f32 peak) | reference images/s | ratio wall / CPU | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    flops = {_case(r): r["gflop_per_step"] for r in report["rows"] if "gflop_per_step" in r}
    for r in report["rows"]:
        if "error" in r:
            lines.append(f"| {r['variant']} | {_config_name(r)} | failed: {r['error']} "
                         "| | | | | | | |")
            continue
        f = flops.get(_case(r))
        achieved = f * r["steps_per_s"] if f else None
        ach = f"{achieved:.1f} ({100 * achieved / peak['float32']:.0f}%)" if f else ""
        ref = (f"{r['reference_images_per_s']:.0f} ({r['reference']})"
               if "reference" in r else "")
        ratio = f"{r['ratio']:.2f} / {r['cpu_ratio']:.2f}" if "ratio" in r else ""
        lines.append(
            f"| {r['variant']} | {_config_name(r)} | {_rate(r['images_per_s'])} "
            f"({_rate(r['images_per_s_min'])}-{_rate(r['images_per_s_max'])}) | "
            f"{_rate(r['steps_per_s'])} | {r['first_step_s']:.1f} | "
            + (f"{f:.3f} | {ach} | " if f else "| | ")
            + f"{ref} | {ratio} | {r['max_rss_mb']:.0f} |")
    lines += ["", "The labs' input pipelines alone (samples/s of iterating the `tf.data` "
              "pipeline, nothing else; the fastest training above is the bound they must beat):",
              "", "| pipeline | samples/s |", "|---|---|"]
    lines += [f"| {name} | {rate:.0f} |" for name, rate in report["pipelines"].items()]
    lines += ["", *gpu_estimate(report["rows"])]
    notes = {_case(r): r["notes"] for r in report["rows"] if r.get("notes")}
    lines += ["", "Variants: " + "; ".join(f"`{k[0]}`: {v}" for k, v in notes.items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    from variants import PAPER_SCALE, VARIANTS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", action="append", choices=sorted(VARIANTS),
                   help="a variant to measure (repeatable; default: all)")
    p.add_argument("--quick", action="store_true",
                   help="smoke pass: the base configuration of each variant, one short window")
    p.add_argument("--axes", action="append", choices=sorted(VARIANTS), default=None,
                   help="a variant measured in every configuration (repeatable; default: all "
                        "variants; the others get their base configuration only)")
    p.add_argument("--windows", type=int, default=None, help="timed windows (default 5; quick 1)")
    p.add_argument("--seconds", type=float, default=None,
                   help="length of a timed window in seconds (default 3; quick 0.2); "
                        "rounded to whole executions")
    p.add_argument("--paper", action="store_true",
                   help="only the paper-size rows (float32, one replica) of the variants that have "
                        "one; written to <machine>-paper.json / .md")
    p.add_argument("--precision", action="append", choices=MIXED,
                   default=None, help="a policy on the precision axis (repeatable; default both)")
    p.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(json.loads(args.child))))
        return 0
    for name, value in (("windows", args.windows), ("seconds", args.seconds)):
        if value is not None and not value > 0:
            p.error(f"--{name} must be > 0. Received: {value}")
    variants = args.variant or list(VARIANTS)
    if args.paper and not set(variants) & set(PAPER_SCALE):
        p.error(f"--paper: none of {', '.join(variants)} has a paper size; those that do: "
                f"{', '.join(PAPER_SCALE)}")
    windows = args.windows or (1 if args.quick else 5)
    seconds = args.seconds or (0.2 if args.quick else 3.0)
    load0 = os.getloadavg()[0]
    info, slug = machine()
    size = 512 if args.quick else 4096
    peak = spawn({"kind": "peak", "n": size})
    configs = configurations(variants, args.quick, args.axes, args.paper,
                             tuple(args.precision or MIXED))
    rows = []
    if args.quick:  # one process for all: a smoke test, not a measurement
        rows = spawn({"kind": "configs", "configs": configs, "windows": windows, "seconds": seconds})
    else:
        for config in configs:
            rows += spawn({"kind": "configs", "configs": [config], "windows": windows,
                           "seconds": seconds})
            r = rows[-1]
            print(f"{r['variant']:15s} {_config_name(r):55s} "
                  + (f"failed: {r['error']}" if "error" in r else
                     f"{_rate(r['images_per_s']):>8} img/s" + (f"  ratio {r['ratio']:.2f}"
                                                          if "ratio" in r else "")), flush=True)
    pipelines = spawn({"kind": "pipelines"})
    # The peak again at the end, the larger kept: other jobs may have held the CPU at the start.
    peak = {k: max(v, w) for (k, v), w in zip(peak.items(), spawn({"kind": "peak", "n": size})
                                              .values(), strict=True)}
    print(f"matmul peak: float32 {peak['float32']:.0f}, bfloat16 {peak['bfloat16']:.0f} GFLOP/s",
          flush=True)
    command = "python benchmarks/run.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": info,
              "load": [load0, os.getloadavg()[0]], "matmul_gflops": peak, "rows": rows,
              "pipelines": pipelines, "command": command}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = slug + ("-quick" if args.quick else "") + ("-paper" if args.paper else "")
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n")
    table = markdown(report, command)
    (args.out / f"{stem}.md").write_text(table)
    print(table)
    print(f"written to {args.out / stem}.json and .md")
    failed = [r for r in rows if "error" in r]
    return 1 if args.quick and failed else 0


if __name__ == "__main__":
    sys.exit(main())
