"""Each lab's bar lives once, as data in its grading module, and its docstring quotes it.

The lab's "Grading bar" paragraph must state every number of the grader's
`BAR`: change a bar without changing what students read, and this fails.
"""

import ast
from pathlib import Path

import pytest

from ganlab.grading import (
    cgan,
    cyclegan,
    dcgan,
    divergences,
    evaluation,
    gaussian,
    lapgan_text,
    mode_collapse,
    pix2pix,
    srgan,
    stylegan,
    wgan,
)

LABS = Path(__file__).resolve().parents[2] / "labs"
GRADERS = {
    "01_gaussian": gaussian, "02_mode_collapse": mode_collapse, "03_dcgan": dcgan,
    "04_divergences": divergences, "05_wgan": wgan, "06_cgan": cgan, "07_pix2pix": pix2pix,
    "08_cyclegan": cyclegan, "09_srgan": srgan, "11_evaluation": evaluation,
    "12_stylegan": stylegan,
    "13_lapgan_text": lapgan_text,
}


def bar_paragraph(lab):
    doc = ast.get_docstring(ast.parse((LABS / f"{lab}.py").read_text()))
    start = doc.index("Grading bar")
    end = doc.find("\n\n", start)
    return " ".join(doc[start:end if end > 0 else None].split())


def spellings(value):
    """How a docstring may write a bar's number: 0.7, 70%, 7 (of 8), half."""
    found = {f"{value:g}", f"{value * 100:g}%"}
    if value == 0.5:
        found.add("half")
    return found


@pytest.mark.parametrize("lab", sorted(GRADERS))
def test_docstring_quotes_every_number_of_the_bar(lab):
    text = bar_paragraph(lab)
    missing = {key: value for key, value in GRADERS[lab].BAR.items()
               if not any(s in text for s in spellings(value))}
    assert not missing, f"labs/{lab}.py's grading bar does not state {missing}: {text}"


def test_a_changed_bar_is_caught(monkeypatch):
    monkeypatch.setitem(gaussian.BAR, "w1_over_sigma", 0.15)
    with pytest.raises(AssertionError, match="w1_over_sigma"):
        test_docstring_quotes_every_number_of_the_bar("01_gaussian")
