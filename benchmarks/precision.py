"""float32 against mixed_bfloat16 (and mixed_float16) on one train step, interleaved in one process.

    python benchmarks/precision.py [--variant keras_io --variant dcgan ...] [--windows 5]
                                   [--scale paper] [--precision mixed_bfloat16]

For each variant (`variants.VARIANTS`, at its lab's size, or with `--scale
paper` at its paper's size, `variants.PAPER_SCALE`) one model is built under
each dtype policy in the same process (a layer keeps the policy it was
built under), then their timed windows alternate, so that the machine's
other load falls on all of them alike. Reports the median images/s (wall)
and images per CPU-second of each, and each one's ratio to float32. See
bf16_kernels.py for which oneDNN kernels each precision runs. Writes
benchmarks/results/precision-<machine>.md (-paper.md with `--scale paper`), the
machine named as run.py names it, so that one CPU's figures do not overwrite
another's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import MIXED  # noqa: E402  (benchmarks/ is on the path only from here)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", action="append", default=None)
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--scale", choices=("lab", "paper"), default="lab")
    p.add_argument("--precision", action="append", choices=MIXED, default=None,
                   help="the policies set against float32 (default both; mixed_float16 "
                   "takes minutes a step at the paper's size on a CPU)")
    args = p.parse_args()
    precisions = ("float32", *(args.precision or MIXED))
    from variants import PAPER_SCALE, VARIANTS

    names = args.variant or (["keras_io", "dcgan", "cgan"] if args.scale == "lab"
                             else list(PAPER_SCALE))
    allowed = VARIANTS if args.scale == "lab" else PAPER_SCALE
    wrong = [n for n in names if n not in allowed]
    if wrong:
        p.error(f"--variant {wrong[0]!r} has no {args.scale}-size model; allowed: "
                + ", ".join(allowed))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from run import _fit_window, machine
    from variants import seed_everything

    load0 = os.getloadavg()[0]
    lines = ["# precision.py", "",
             f"`python benchmarks/precision.py {' '.join(sys.argv[1:])}`, "
             f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, 1-minute load "
             f"{load0:.1f} at the start. Windows of the precisions alternate in one process.", "",
             "| variant | precision | images/s (wall) | images/CPU-s | wall ratio to float32 | "
             "CPU ratio to float32 |", "|---|---|---|---|---|---|"]
    for name in names:
        cases = {}
        for precision in precisions:
            keras.config.set_dtype_policy(precision)
            seed_everything()
            case = VARIANTS[name](args.scale)
            cases[precision] = case
            _fit_window(case.model, case.data, max(2, case.model.steps_per_execution))
        keras.config.set_dtype_policy("float32")
        sizes = {}
        for precision, case in cases.items():
            spe = case.model.steps_per_execution
            wall, _ = _fit_window(case.model, case.data, spe)
            sizes[precision] = max(1, round(args.seconds / wall)) * spe
        wall = {k: [] for k in cases}
        cpu = {k: [] for k in cases}
        for _ in range(args.windows):
            for precision, case in cases.items():
                n = sizes[precision]
                w, c = _fit_window(case.model, case.data, n)
                wall[precision].append(n * case.images_per_step / w)
                cpu[precision].append(n * case.images_per_step / c)
        base_w, base_c = statistics.median(wall["float32"]), statistics.median(cpu["float32"])
        for precision in cases:
            w, c = statistics.median(wall[precision]), statistics.median(cpu[precision])
            lines.append(f"| {name} | {precision} | {w:.0f} | {c:.0f} | {w / base_w:.2f} | "
                         f"{c / base_c:.2f} |")
            print(lines[-1], flush=True)
    lines += ["", f"1-minute load at the end {os.getloadavg()[0]:.1f}. mixed_float16 runs "
              "without loss scaling here (speed only; the labs wrap optimizers in a "
              "LossScaleOptimizer)."]
    text = "\n".join(lines) + "\n"
    suffix = "-paper" if args.scale == "paper" else ""
    out = HERE / "results" / f"precision-{machine()[1]}{suffix}.md"
    out.write_text(text)
    print(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
