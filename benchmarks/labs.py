"""Wall time, CPU time and peak memory of each lab's --quick run (the figure students feel).

    python benchmarks/labs.py [01_gaussian 05_wgan ...] [--against REV] [--seed S ...] [--keep DIR]

Each lab runs in its own process into a temporary folder. Its wall time
(TensorFlow's import included), its CPU time (user + system: on a shared
machine the figure that load moves least) and its own peak resident memory
are printed as a table and written to benchmarks/results/labs.md, with the
machine's load average so that a busy machine's numbers can be discounted.

With `--against REV` every lab also runs from a checkout of REV (a git
revision of this repository, in a temporary worktree), the two runs of a lab
back to back, and the table gains the ratios before / after: the before /
after table of a change. The verdict line of both runs is kept, so a speed-up
that breaks a bar shows. Several seeds (`--seed 0 1 2`) run seed by seed, every
lab of a seed before the next seed, into one table: a bar's 3 seeds in one go.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(tree, lab, out, seed):
    """(wall s, CPU s, peak RSS MB, verdict line) of one lab's --quick run from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryFile("w+") as log:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(tree / "labs" / f"{lab}.py"), "--quick",
                                 "--seed", str(seed), "--out", out],
                                stdout=log, stderr=subprocess.STDOUT, text=True, env=env, cwd=tree)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        lines = log.read().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, verdict(lines, proc.returncode)


def verdict(lines, returncode):
    """Every verdict a lab printed ("bar: ..."), wherever on its line, or its exit status.

    Lab 13 prints one per part, after the part's figures ("LAPGAN: ...; bar: PASSED").
    """
    found = [line[line.index("bar:"):] for line in lines if "bar:" in line]
    return " | ".join(found) or f"exit {returncode}"


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("labs", nargs="*", help="lab names (default: every lab)")
    p.add_argument("--against", metavar="REV", help="also run each lab from git revision REV")
    p.add_argument("--seed", type=int, nargs="+", default=[0],
                   help="the labs' --seed; several run one after another (default 0)")
    p.add_argument("--keep", metavar="DIR",
                   help="keep the run folders, as DIR/seed<S>/{after,before}/<lab> (default: "
                        "thrown away); their metrics.json has the figures of the bar's seeds")
    args = p.parse_args(argv)
    known = sorted(path.stem for path in (ROOT / "labs").glob("[0-9][0-9]_*.py"))
    unknown = [lab for lab in args.labs if lab not in known]
    if unknown:
        p.error(f"unknown lab {unknown[0]!r}; the labs are {', '.join(known)}")
    args.labs = args.labs or known
    return args


def checkout(rev, folder):
    """A worktree of `rev` in `folder` (removed by the caller); exits 2 for an unknown rev."""
    proc = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), rev],
                          capture_output=True, text=True)
    if proc.returncode:
        print(f"labs.py: --against {rev!r} is not a revision of {ROOT}: "
              f"{proc.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        sys.exit(2)
    return Path(folder)


def table(rows, against, seeds):
    lines = ["# benchmarks/labs.py", "",
             f"`--quick --seed S` runs (S = {', '.join(map(str, seeds))}) on {os.cpu_count()} "
             "CPU cores. CPU is user + system seconds of the lab's process; load is the "
             "1-minute load average after the run.", ""]
    if against:
        lines += [f"Before: `{against}`; after: the working tree. Ratios are before / after "
                  "(above 1: the change made the lab faster).", "",
                  "| lab | seed | wall before | wall after | CPU before | CPU after | CPU ratio | "
                  "wall ratio | RSS after (MB) | load | verdict before | verdict after |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {lab} | {seed} | {b[0]:.1f} | {a[0]:.1f} | {b[1]:.1f} | {a[1]:.1f} | "
                  f"{b[1] / a[1]:.2f} | {b[0] / a[0]:.2f} | {a[2]:.0f} | {load:.1f} | {b[3]} | {a[3]} |"
                  for lab, seed, a, b, load in rows]
    else:
        lines += ["| lab | seed | wall (s) | CPU (s) | peak RSS (MB) | load | verdict |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {lab} | {seed} | {a[0]:.1f} | {a[1]:.1f} | {a[2]:.0f} | {load:.1f} | {a[3]} |"
                  for lab, seed, a, _, load in rows]
    return "\n".join(lines) + "\n"


def main(argv):
    args = parse(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        before_tree = checkout(args.against, Path(tmp) / "before") if args.against else None
        try:
            for seed, lab in ((s, lab) for s in args.seed for lab in args.labs):
                out = Path(args.keep or tmp) / f"seed{seed}"
                before = (measure(before_tree, lab, str(out / "before"), seed)
                          if before_tree else None)
                after = measure(ROOT, lab, str(out / "after"), seed)
                rows.append((lab, seed, after, before, os.getloadavg()[0]))
                shown = "" if before is None else (
                    f"  before {before[0]:6.1f} s wall {before[1]:6.1f} s CPU  {before[3]}  |")
                print(f"{lab:20s} seed {seed}{shown}  {after[0]:6.1f} s wall {after[1]:6.1f} s CPU "
                      f"{after[2]:6.0f} MB  {after[3]}", flush=True)
        finally:
            if before_tree:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(before_tree)], capture_output=True)
    name = "labs.md" if not args.against else f"labs_against_{args.against}.md"
    results = ROOT / "benchmarks" / "results" / name
    results.write_text(table(rows, args.against, args.seed))
    print(f"wrote {results}")


if __name__ == "__main__":
    main(sys.argv[1:])
