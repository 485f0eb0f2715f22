"""The rendered document scans: domains, held-out truth, unpaired streams, bad input."""

import numpy as np
import pytest

from ganlab.data.documents import (
    PAGES_PER_SPLIT,
    ink_overlap,
    load_document_arrays,
    unpaired_dataset,
)


@pytest.fixture(scope="module")
def test_pages():
    return load_document_arrays("bleed", "test", 32)


def test_shapes_range_and_fixed_arrays(test_pages):
    for key in ("x", "y", "y_clean"):
        a = test_pages[key]
        assert a.shape == (PAGES_PER_SPLIT["test"], 32, 32, 3) and a.dtype == np.float32
        assert a.min() >= -1 and a.max() <= 1
    again = load_document_arrays("bleed", "test", 32)
    np.testing.assert_array_equal(again["y"], test_pages["y"])
    with pytest.raises(ValueError):
        test_pages["y"][0, 0, 0, 0] = 0.0  # read-only: a grader and a student see the same pages


def test_bleed_is_there_and_the_clean_version_is_close(test_pages):
    y, clean, x = test_pages["y"], test_pages["y_clean"], test_pages["x"]
    def warmth(a):  # red minus blue: the paper's yellow
        return float((a[..., 0] - a[..., 2]).mean())

    # yellowing on the scans only: their clean versions are as warm as the X pages
    assert warmth(y) > warmth(clean) + 0.2
    assert abs(warmth(clean) - warmth(x)) < 0.03
    assert np.abs(y - clean).mean() > 0.1


def test_a_global_threshold_cannot_separate_ink_from_bleed(test_pages):
    lightest_ink, darkest_bleed = ink_overlap(test_pages)
    assert lightest_ink > darkest_bleed, (lightest_ink, darkest_bleed)


def test_domains_are_unpaired_and_held_out_pages_are_new():
    train = load_document_arrays("bleed", "train", 16)
    test = load_document_arrays("bleed", "test", 16)

    def nearest(a, b):
        d = ((a.reshape(len(a), 1, -1) - b.reshape(1, len(b), -1)) ** 2).mean(-1)
        return d.min(1)

    # no X page is the clean twin of a Y page, and no held-out page is a training page
    assert nearest(test["y_clean"], train["x"][:500]).min() > 0.01
    assert nearest(test["y_clean"], test["x"]).min() > 0.01
    assert nearest(test["y"], train["y"][:500]).min() > 0.01


def test_fonts_task_changes_the_font_only():
    pages = load_document_arrays("fonts", "test", 32)
    assert pages["x"].shape == pages["y"].shape
    # both clean: no yellowing on either
    warmth = [float((pages[k][..., 0] - pages[k][..., 2]).mean()) for k in ("x", "y")]
    assert abs(warmth[0] - warmth[1]) < 0.03
    assert np.abs(pages["x"] - pages["y"]).mean() > 0.02


def test_unpaired_stream_shuffles_each_domain_on_its_own():
    x = np.arange(8, dtype="float32").reshape(8, 1, 1, 1) * np.ones((1, 2, 2, 3), "float32")
    batches = list(unpaired_dataset(x, x.copy(), batch_size=4, seed=0).take(4))
    xs = [b[0].numpy()[:, 0, 0, 0].tolist() for b in batches]
    ys = [b[1].numpy()[:, 0, 0, 0].tolist() for b in batches]
    assert xs != ys  # two independent orders of the same images
    assert sorted(xs[0] + xs[1]) == list(range(8))  # each pass sees every image once
    again = [b[0].numpy()[:, 0, 0, 0].tolist() for b in unpaired_dataset(x, x, 4, seed=0).take(4)]
    assert again == xs


@pytest.mark.parametrize("kwargs, match", [({"task": "horses"}, "task='horses'"),
                                           ({"split": "val"}, "split='val'"),
                                           ({"image_size": 48}, "image_size=48")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_document_arrays(**{"task": "bleed", "split": "test", "image_size": 32, **kwargs})
