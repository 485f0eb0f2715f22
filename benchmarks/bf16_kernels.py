"""Which CPU kernels a DCGAN train step runs in float32 and in mixed_bfloat16 (issue 19's question).

    python benchmarks/bf16_kernels.py [--variant keras_io] [--steps 5] [--scale paper]

Each precision runs in its own subprocess with oneDNN's verbose log on
(`ONEDNN_VERBOSE=1`, TensorFlow's oneDNN ops are on by default on x86) and
TensorFlow's op-level profile off: after warm-up, `--steps` train steps are
logged, and the log's `exec` lines are summed per primitive (convolution,
matmul, reorder, ...), implementation (e.g. `brg:avx512_core_amx`,
`jit:avx512_core_bf16`, `gemm:jit`, `ref`) and source data type, with the
time oneDNN reports for them. The step's wall time is measured too, so the
share of the step spent in oneDNN primitives (the rest: TensorFlow's own
kernels, e.g. Eigen's, and the executor) is visible. Writes
benchmarks/results/bf16_kernels-<machine>.md, the machine named as run.py
names it (AVX-512 BF16 and AMX CPUs run different kernels).
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child(variant, precision, steps, scale):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import keras
    from variants import VARIANTS, seed_everything

    keras.config.set_dtype_policy(precision)
    seed_everything()
    case = VARIANTS[variant](scale)
    model = case.model
    model.fit(case.data, epochs=1, steps_per_epoch=3, verbose=0)  # trace, warm up
    print("STEPS-BEGIN", flush=True)
    t0 = time.perf_counter()
    model.fit(case.data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - t0
    print("STEPS-END", flush=True)
    print("RESULT " + json.dumps({"seconds": seconds}), flush=True)


def summarise(log):
    """{(primitive, implementation, src dtype): [calls, ms]} of the timed steps' exec lines."""
    table = collections.defaultdict(lambda: [0, 0.0])
    timed = False
    for line in log.splitlines():
        if "STEPS-BEGIN" in line:
            timed = True
        elif "STEPS-END" in line:
            timed = False
        elif timed and line.startswith("onednn_verbose") and ",exec," in line:
            f = line.split(",")
            try:
                i = f.index("exec")
                kind, impl = f[i + 2], f[i + 3]
                dtype = next((x.split(":")[1] for x in f[i + 5].split() if x.startswith("src")),
                             f[i + 5][:20])
                ms = float(f[-1])
            except (ValueError, IndexError):
                continue
            cell = table[(kind, impl, dtype)]
            cell[0] += 1
            cell[1] += ms
    return table


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="keras_io")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--scale", choices=("lab", "paper"), default="lab",
                   help="the lab's nets (default) or the paper's (dcgan, pix2pix, cyclegan, srgan)")
    p.add_argument("--one", nargs=2, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        return child(args.one[0], args.one[1], args.steps, args.scale)
    lines = ["# bf16_kernels.py", "",
             f"`python benchmarks/bf16_kernels.py {' '.join(sys.argv[1:])}`,"
             f" {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, 1-minute load "
             f"{os.getloadavg()[0]:.1f}. oneDNN `exec` lines of {args.steps} train steps "
             "(after warm-up), summed.", ""]
    for precision in ("float32", "mixed_bfloat16"):
        proc = subprocess.run([sys.executable, __file__, "--steps", str(args.steps), "--scale",
                               args.scale, "--one",
                               args.variant, precision], capture_output=True, text=True,
                              env={**os.environ, "ONEDNN_VERBOSE": "1"})
        out = proc.stdout
        res = [json.loads(s[7:]) for s in out.splitlines() if s.startswith("RESULT ")]
        if proc.returncode or not res:
            lines.append(f"{precision}: failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
            continue
        table = summarise(out)
        total_ms = sum(ms for _, ms in table.values())
        step_ms = 1000 * res[0]["seconds"] / args.steps
        lines += [f"## {precision}: {step_ms:.0f} ms per step (wall, with the verbose log on), "
                  f"{total_ms / args.steps:.0f} ms of it in oneDNN primitives", "",
                  "| primitive | implementation | src dtype | calls/step | ms/step |",
                  "|---|---|---|---|---|"]
        for (kind, impl, dtype), (calls, ms) in sorted(table.items(), key=lambda kv: -kv[1][1]):
            lines.append(f"| {kind} | {impl} | {dtype} | {calls / args.steps:.0f} | "
                         f"{ms / args.steps:.1f} |")
        lines.append("")
    text = "\n".join(lines) + "\n"
    print(text)
    from run import machine

    suffix = "-paper" if args.scale == "paper" else ""
    out = HERE / "results" / f"bf16_kernels-{machine()[1]}{suffix}.md"
    out.write_text(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
