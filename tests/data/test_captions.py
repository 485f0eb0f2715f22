"""Captions of rendered digits: closed vocabulary, deterministic, held-out phrasings, true facts."""

import re

import numpy as np
import pytest

from ganlab.data import captions as cap
from ganlab.metrics.attributes import fit_reader, ink, slant


def test_deterministic_under_a_seed_and_seeds_differ():
    _, facts = cap.captioned_digits("test")
    a = cap.captions_for(facts, "train", seed=3)
    assert a == cap.captions_for(facts, "train", seed=3)
    assert a != cap.captions_for(facts, "train", seed=4)
    x1, f1 = cap.captioned_digits("test")
    x2, _ = cap.captioned_digits("test")
    np.testing.assert_array_equal(x1, x2)
    assert np.bincount(f1["digit"]).tolist() == [60] * 10


def test_unknown_word_is_a_one_line_error_naming_it():
    with pytest.raises(ValueError, match="unknown word 'purple'") as e:
        cap.tokenize("a purple serif seven, tilted left")
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="empty"):
        cap.tokenize(" , ")
    with pytest.raises(ValueError, match="at most 12"):
        cap.tokenize(" ".join(["seven"] * 13))


def test_every_caption_tokenizes_and_says_its_facts():
    _, facts = cap.captioned_digits("test")
    for phrasing in ("train", "heldout"):
        for i, text in enumerate(cap.captions_for(facts, phrasing, seed=0)):
            words = set(text.split())
            for key in ("family", "weight", "tilt"):
                said = [v for v, syn in cap.SYNONYMS[key].items() if words & set(syn)]
                assert said == [facts[key][i]], (text, key)
            assert words & set(cap.SYNONYMS["digit"][int(facts["digit"][i])]), text
            assert cap.tokenize(text).shape == (cap.MAX_WORDS,)


def test_heldout_phrasings_never_appear_in_training():
    _, facts = cap.captioned_digits("train")
    train = set(cap.captions_for(facts, "train", seed=0))
    held = set(cap.captions_for(facts, "heldout", seed=0))
    assert not train & held
    # and no held-out phrasing has a training one's order of facts and frame words
    frame = {t: re.sub(r"\{\w+\}", "_", t) for t in cap.TRAIN_TEMPLATES + cap.HELDOUT_TEMPLATES}
    assert not {frame[t] for t in cap.TRAIN_TEMPLATES} & {frame[t] for t in cap.HELDOUT_TEMPLATES}


def test_facts_are_measurable_from_pixels():
    """The renderer's facts show: per-digit thresholds fit on train read held-out renders."""
    x, f = cap.captioned_digits("train")
    xt, ft = cap.captioned_digits("test")
    weight = fit_reader("weight", x, f["digit"], f["weight"])
    tilt = fit_reader("tilt", x, f["digit"], f["tilt"])
    assert weight.agreement(xt, ft["digit"], ft["weight"]) > 0.9
    assert tilt.agreement(xt, ft["digit"], ft["tilt"]) > 0.97
    assert np.all((f["angle"] > 0) == (f["tilt"] == "left"))
    assert np.all((np.abs(f["angle"]) >= 8) & (np.abs(f["angle"]) <= 16))
    # by hand: a "\" stroke (top left) has slant +1, an empty-ish page ink 0
    backslash = -np.ones((1, 5, 5, 1))
    backslash[0, range(5), range(5), 0] = 1
    assert slant(backslash)[0] == pytest.approx(1.0)
    assert ink(-np.ones((1, 4, 4, 1)))[0] == 0.0


def test_bad_split_and_size():
    with pytest.raises(ValueError, match="split"):
        cap.captioned_digits("valid")
    with pytest.raises(ValueError, match="image_size"):
        cap.captioned_digits("train", 20)
    with pytest.raises(ValueError, match="phrasing"):
        cap.captions_for({"digit": []}, "test")
