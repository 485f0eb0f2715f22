"""Grading fixtures: a lab's run folder, from --runs DIR or a fresh --quick run."""

import subprocess
import sys
from pathlib import Path

import pytest

LABS = Path(__file__).resolve().parents[2] / "labs"


@pytest.fixture(scope="session")
def lab_run(request, tmp_path_factory):
    """Return a function lab name -> run folder to grade.

    With `--runs DIR` it is DIR/<name> (a missing folder fails the test).
    Without, the lab runs once per session with --quick into a temp folder;
    a lab that exits non-zero fails the test with its stderr.
    """
    runs = request.config.getoption("--runs")
    out = tmp_path_factory.mktemp("runs")
    done = {}

    def get(name, *extra_args):
        key = (name, extra_args)
        if key in done:
            return done[key]
        if runs:
            path = Path(runs) / name
            if not path.is_dir():
                pytest.fail(f"no run folder to grade: {path}")
        else:
            cmd = [sys.executable, str(LABS / f"{name}.py"), "--quick", "--out", str(out), *extra_args]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
            path = out / name
        done[key] = path
        return path

    return get


@pytest.fixture
def forge(tmp_path):
    """Return a function that copies a run folder the way a student gaming the bar would edit it.

    forge(run, config={"sigma": 2.0}) edits config.json; forge(run,
    generator_from=other_run) puts another run's generator.keras in place.
    """
    import json
    import shutil

    made = []

    def make(run, config=None, generator_from=None):
        made.append(run)
        path = tmp_path / f"forged{len(made)}" / Path(run).name
        shutil.copytree(run, path)
        if config:
            data = json.loads((path / "config.json").read_text())
            data.update(config)
            (path / "config.json").write_text(json.dumps(data))
        if generator_from is not None:
            shutil.copy(Path(generator_from) / "generator.keras", path / "generator.keras")
        return path

    return make


@pytest.fixture
def copy_run():
    """Return a function copying a run folder's config.json and the named networks into a new folder.

    copy_run(run, folder, names) is how the image labs' tests forge folders.
    """

    def copy(run, folder, names):
        folder.mkdir()
        for name in ("config.json", *names):
            (folder / name).write_bytes((Path(run) / name).read_bytes())
        return folder

    return copy


@pytest.fixture
def users_mistake(tmp_path):
    """Return a function asserting a lab exits 2 with one error line naming `match`, leaving no run folder.

    users_mistake(lab, args, match) runs `python labs/<lab>.py --quick --out TMP *args`.
    """

    def check(lab, args, match):
        cmd = [sys.executable, str(LABS / f"{lab}.py"), "--quick", "--out", str(tmp_path), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 2, proc.stderr[-2000:]
        lines = [line for line in proc.stderr.splitlines() if line.startswith(f"{lab}.py: error:")]
        assert len(lines) == 1 and match in lines[0], proc.stderr[-2000:]
        assert not (tmp_path / lab).exists()

    return check
