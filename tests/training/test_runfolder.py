"""The run folder: atomic files, commit on success, nothing touched on failure."""

import json

import pytest

from ganlab.training.runfolder import RunFolder, read_json, write_json_atomic


def test_success_replaces_the_previous_run(tmp_path):
    with RunFolder(tmp_path, "lab") as run:
        run.write_metrics({"a": 1})
    assert read_json(tmp_path / "lab" / "metrics.json") == {"a": 1}
    with RunFolder(tmp_path, "lab") as run:
        assert run.path == tmp_path / "lab.partial"
        run.write_metrics({"a": 2})
    assert read_json(tmp_path / "lab" / "metrics.json") == {"a": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lab"]


def test_failure_keeps_the_last_good_run(tmp_path):
    with RunFolder(tmp_path, "lab") as run:
        run.write_metrics({"good": True})
    with pytest.raises(RuntimeError):
        with RunFolder(tmp_path, "lab") as run:
            run.write_metrics({"good": False})
            raise RuntimeError("crash mid-run")
    assert read_json(tmp_path / "lab" / "metrics.json") == {"good": True}
    assert (tmp_path / "lab.partial").is_dir()  # left for inspection
    with RunFolder(tmp_path, "lab") as run:  # the next run clears it
        pass
    assert not (tmp_path / "lab.partial").exists()


def test_a_commit_interrupted_between_renames_is_recovered(tmp_path):
    (tmp_path / "lab.old").mkdir()
    (tmp_path / "lab.old" / "metrics.json").write_text('{"old": 1}')
    with RunFolder(tmp_path, "other"):
        pass
    RunFolder(tmp_path, "lab")._recover()
    assert read_json(tmp_path / "lab" / "metrics.json") == {"old": 1}


def test_config_records_arguments_and_versions(tmp_path):
    with RunFolder(tmp_path, "lab") as run:
        run.write_config({"seed": 3}, latent={"dim": 2, "distribution": "normal"})
    config = read_json(tmp_path / "lab" / "config.json")
    assert config["seed"] == 3 and config["latent"]["dim"] == 2
    assert {"ganlab", "tensorflow", "keras", "numpy", "python"} <= set(config["versions"])


def test_atomic_json_leaves_no_temp_file_and_reads_back(tmp_path):
    write_json_atomic(tmp_path / "m.json", {"x": 1.5})
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
    assert json.loads((tmp_path / "m.json").read_text()) == {"x": 1.5}


def test_corrupt_json_names_the_file(tmp_path):
    (tmp_path / "metrics.json").write_text("{not json")
    with pytest.raises(ValueError, match="metrics.json"):
        read_json(tmp_path / "metrics.json")


def test_out_must_be_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="--out"):
        RunFolder(f, "lab")
