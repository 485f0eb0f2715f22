"""Lab 09's recipe pieces: stage 2 starts from stage 1's G, the panels, a folder of HR images."""

import numpy as np
import pytest

from ganlab.recipes import srgan


def test_stage_2_starts_from_a_copy_of_stage_1():
    stage1 = srgan.srresnet_model(blocks=1, filters=8, lr=1e-3)
    stage2 = srgan.srgan_model(stage1.generator, 32, d_filters=4, dense=8)
    lr = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(stage2.super_resolve(lr), stage1.super_resolve(lr), atol=1e-6)
    assert stage2.generator is not stage1.generator and stage2.adversarial
    assert stage2.content == "mse" and stage2.adversarial_weight == 1e-3


def test_folder_report_and_panels(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for i, shape in enumerate([(40, 52, 3), (36, 36, 3)]):
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(tmp_path / f"{i}.png")
    g = srgan.srresnet_model(blocks=1, filters=8, bicubic_skip=True).generator  # = bicubic
    report = srgan.folder_report({"srresnet": g}, tmp_path, 4)
    assert report["images"] == 2 and set(report) == {"folder", "images", "bicubic", "srresnet"}
    assert report["srresnet"]["psnr"] == pytest.approx(report["bicubic"]["psnr"], abs=1e-3)
    image = srgan.held_out_panels({"a": np.zeros((3, 32, 32, 3)), "b": np.ones((3, 32, 32, 3))},
                                  np.zeros((3, 32, 32, 3)), 4, shown=(0, 2))
    assert image.dtype == np.uint8 and image.shape[1] > image.shape[0]


def test_unknown_training_data():
    with pytest.raises(ValueError, match="Received: data='imagenet'"):
        srgan.training_data("imagenet", 64, 4, 16, 0)
