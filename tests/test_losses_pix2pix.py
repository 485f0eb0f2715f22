"""The pix2pix L1 term against a hand-computed value."""

import numpy as np
import pytest

from ganlab import losses


def test_l1_reconstruction_loss_hand_value():
    y = np.array([[0.5, -1.0], [1.0, 0.0]], "float32")
    g = np.array([[0.0, -0.5], [1.0, 1.0]], "float32")
    # |0.5| + |-0.5| + 0 + |-1| over 4 elements
    assert float(losses.l1_reconstruction_loss(y, g)) == pytest.approx(2.0 / 4)


def test_l1_reconstruction_loss_averages_every_element_of_images():
    y = np.zeros((2, 3, 3, 3), "float32")
    g = np.full((2, 3, 3, 3), -0.25, "float32")
    g[0, 0, 0, 0] = 1.0
    expected = (53 * 0.25 + 1.0) / 54
    assert float(losses.l1_reconstruction_loss(y, g)) == pytest.approx(expected, rel=1e-6)


def test_l1_reconstruction_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="Received: target.shape"):
        losses.l1_reconstruction_loss(np.zeros((2, 4)), np.zeros((2, 5)))
