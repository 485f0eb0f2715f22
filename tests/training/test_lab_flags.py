"""Every lab's parser (`ganlab.training.lab.parser`) takes --resume and --quiet."""

import re
from pathlib import Path

from ganlab.training import lab

ROOT = Path(__file__).resolve().parents[2]


def test_lab_parser_has_resume_and_quiet():
    p = lab.parser("Lab 99 - a test.", default_epochs=2, quick_epochs=1)
    args = p.parse_args(["--resume", "--quiet", "--out", "x"])
    assert args.resume and args.quiet
    defaults = p.parse_args([])
    assert not defaults.resume and not defaults.quiet


def test_fingerprint_keeps_the_flags_a_resume_must_share():
    p = lab.parser("Lab 99 - a test.", default_epochs=2, quick_epochs=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--dataset", default="digits")
    args = p.parse_args(["--out", "elsewhere", "--devices", "cpu", "--resume", "--quiet"])
    fp = lab.fingerprint(args)
    assert {"epochs", "batch_size", "seed", "dataset", "quick"} <= set(fp)
    assert not {"out", "devices", "resume", "quiet", "xla"} & set(fp)


def test_every_lab_opens_its_run_folder_through_lab_run_folder():
    for path in sorted((ROOT / "labs").glob("[0-9][0-9]_*.py")):
        text = path.read_text()
        assert re.search(r"lab\.run_folder\(args, \"" + path.stem + "\"\)", text), path.name
        assert "lab.parser(" in text, path.name
