"""Time `ganlab grade` on a class of 50 students x 3 labs made from the labs' --quick runs.

    python labs/01_gaussian.py --quick --out /tmp/grade_src   # and 03_dcgan, 06_cgan
    python benchmarks/grade_class.py --src /tmp/grade_src [--students 50] [--jobs 2,1]

The class is built once from the three run folders in SRC, copied to each
student with a perturbation by student number (mod 10):

    0-6  the three genuine folders
    7    config.json forged: lab 01 with --sigma 2.0, lab 03 with --dataset faces
    8    lab 06's generator.keras truncated to 5,000 bytes
    9    lab 03 missing; lab 06's folder holds lab 03's generator

`ganlab grade` then runs on it once per --jobs value, under /usr/bin/time -v
(wall time and the peak RSS of the grading processes), each run into a
fresh CSV. Printed and written to benchmarks/results/grade_class.md: the
wall and CPU time of each run, the machine's mean load average during it,
the per-folder cost of
each lab and status (from the journal's timings: grading only, the workers'
start excluded), and whether the CSVs of the runs are identical.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABS = ("01_gaussian", "03_dcgan", "06_cgan")


def build_class(src, students, class_dir):
    for i in range(students):
        student = class_dir / f"student{i:03d}"
        kind = i % 10
        for lab in LABS:
            if kind == 9 and lab == "03_dcgan":
                continue
            shutil.copytree(src / lab, student / lab, ignore=shutil.ignore_patterns("tb"))
        if kind == 7:
            for lab, edit in (("01_gaussian", {"sigma": 2.0}), ("03_dcgan", {"dataset": "faces"})):
                path = student / lab / "config.json"
                path.write_text(json.dumps({**json.loads(path.read_text()), **edit}))
        if kind == 8:
            path = student / "06_cgan" / "generator.keras"
            path.write_bytes(path.read_bytes()[:5000])
        if kind == 9:
            shutil.copy(src / "03_dcgan" / "generator.keras", student / "06_cgan")


def run(class_dir, out, jobs):
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "ganlab.cli", "grade", str(class_dir),
           "--labs", "01,03,06", "--out", str(out), "--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    loads, stop = [], threading.Event()

    def sample():  # the machine is shared: the load during the run, not only before and after
        while not stop.wait(5):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): (\S+)", proc.stderr).group(1))
              for kind in ("User", "System"))
    return seconds, rss / 1024, cpu, statistics.mean(loads or [os.getloadavg()[0]]), proc.stdout


def costs(journal):
    found = {}
    for record in journal["students"].values():
        for lab, result in record["labs"].items():
            if result["status"] != "missing":
                found.setdefault((lab, result["status"]), []).append(result["seconds"])
    return found


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--src", default="/tmp/grade_src", help="folder with the three --quick runs")
    p.add_argument("--students", type=int, default=50)
    p.add_argument("--jobs", default="2,1", help="comma-separated --jobs values to time")
    args = p.parse_args()
    src = Path(args.src)
    for lab in LABS:
        if not (src / lab / "generator.keras").is_file():
            raise SystemExit(f"no --quick run of {lab} in {src}: run labs/{lab}.py --quick --out {src}")
    rows, csvs, lines = [], {}, []
    with tempfile.TemporaryDirectory() as tmp:
        class_dir = Path(tmp) / "class"
        build_class(src, args.students, class_dir)
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = Path(tmp) / f"grades_jobs{jobs}.csv"
            seconds, rss, cpu, load, stdout = run(class_dir, out, jobs)
            csvs[jobs] = out.read_text()
            journal = json.loads((out.parent / f"{out.name}.journal.json").read_text())
            per = costs(journal)
            rows.append((jobs, seconds, rss, cpu, load, per))
            summary = [line for line in stdout.splitlines() if line.startswith("lab ")]
            print(f"--jobs {jobs}: {seconds:.0f} s wall, {cpu:.0f} s CPU, peak RSS {rss:.0f} MB, "
                  f"mean load {load:.1f}; " + "; ".join(summary), flush=True)
            lines.append((jobs, summary))
    same = len(set(csvs.values())) == 1
    folders = sum(len(v) for v in rows[0][5].values())
    md = ["# benchmarks/grade_class.py", "",
          f"`ganlab grade` on {args.students} students x 3 labs (01, 03, 06) built from one "
          f"--quick run of each lab (perturbations: see the script's docstring); {folders} folders "
          f"to grade, {os.cpu_count()} CPU cores shared with other jobs (load averages below).", "",
          "| --jobs | wall (s) | wall / folder (s) | CPU user+sys (s) | CPU / folder (s) | "
          "peak RSS of one process (MB) | mean 1-min load average during the run |",
          "|---|---|---|---|---|---|---|"]
    for jobs, seconds, rss, cpu, load, _ in rows:
        md.append(f"| {jobs} | {seconds:.0f} | {seconds / folders:.2f} | {cpu:.0f} | "
                  f"{cpu / folders:.2f} | {rss:.0f} | {load:.1f} |")
    md += ["", "Per-folder grading cost (seconds inside a worker, from the journal; the "
           "workers' start, about one TensorFlow import each, excluded):", "",
           "| --jobs | lab | status | folders | median (s) | min (s) | max (s) |",
           "|---|---|---|---|---|---|---|"]
    for jobs, _, _, _, _, per in rows:
        for (lab, status), values in sorted(per.items()):
            md.append(f"| {jobs} | {lab} | {status} | {len(values)} | "
                      f"{statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    md += ["", "Verdicts: " + " / ".join(f"--jobs {j}: " + "; ".join(s) for j, s in lines), "",
           f"CSVs of the runs identical bit for bit: {'yes' if same else 'NO'}."]
    results = ROOT / "benchmarks" / "results" / "grade_class.md"
    results.write_text("\n".join(md) + "\n")
    print("\n".join(md))
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
