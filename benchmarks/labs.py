"""Wall time and peak memory of each lab's --quick run (the figure students feel).

    python benchmarks/labs.py [01_gaussian 02_mode_collapse ...]

Each lab runs in its own process into a temporary folder; its wall time
(TensorFlow's import included) and the child's peak resident memory are
printed as a table and written to benchmarks/results/labs.md, with the
machine's load average so that a busy machine's numbers can be discounted.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(lab, out):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "labs" / f"{lab}.py"), "--quick",
                           "--out", out], capture_output=True, text=True)
    wall = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    verdict = next((line for line in proc.stdout.splitlines() if line.startswith("bar:")),
                   f"exit {proc.returncode}")
    return wall, peak_mb, verdict


def main(labs):
    labs = labs or sorted(p.stem for p in (ROOT / "labs").glob("[0-9][0-9]_*.py"))
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for lab in labs:
            wall, peak, verdict = measure(lab, out)
            rows.append((lab, wall, peak, verdict, os.getloadavg()[0]))
            print(f"{lab:20s} {wall:7.1f} s  peak RSS so far {peak:6.0f} MB  {verdict}", flush=True)
    lines = ["# benchmarks/labs.py", "",
             f"`--quick` runs on {os.cpu_count()} CPU cores; peak RSS is the largest child so far.", "",
             "| lab | wall (s) | peak RSS (MB) | load avg after | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {lab} | {wall:.1f} | {peak:.0f} | {load:.1f} | {verdict} |"
              for lab, wall, peak, verdict, load in rows]
    results = ROOT / "benchmarks" / "results" / "labs.md"
    results.write_text("\n".join(lines) + "\n")
    print(f"wrote {results}")


if __name__ == "__main__":
    main(sys.argv[1:])
