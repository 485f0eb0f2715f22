"""The minibatch layers against their formulas, computed here with numpy."""

import keras
import numpy as np
import pytest

from ganlab.nets.layers import MinibatchDiscrimination


def numpy_minibatch_features(x, kernel, num_kernels, kernel_dim):
    """Salimans 2016, Section 3.2, with o averaged over the n - 1 other samples."""
    n = len(x)
    m = (x @ kernel).reshape(n, num_kernels, kernel_dim)
    o = np.zeros((n, num_kernels))
    for i in range(n):
        for j in range(n):
            if i != j:
                o[i] += np.exp(-np.abs(m[i] - m[j]).sum(-1))
    return np.concatenate([x, o / (n - 1)], axis=1)


def test_minibatch_discrimination_matches_the_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4)).astype("float32")
    layer = MinibatchDiscrimination(3, 2)
    out = keras.ops.convert_to_numpy(layer(x))
    expected = numpy_minibatch_features(x, keras.ops.convert_to_numpy(layer.kernel), 3, 2)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_minibatch_features_do_not_grow_with_the_batch():
    # A batch of identical samples: every pair is at distance 0, so each o is
    # exactly 1 whether the minibatch holds 4 samples or 128 (a sum would be 3 or 127).
    layer = MinibatchDiscrimination(5, 3)
    for n in (4, 128):
        o = keras.ops.convert_to_numpy(layer(np.ones((n, 8), "float32")))[:, 8:]
        np.testing.assert_allclose(o, 1.0, rtol=1e-6)
    assert keras.ops.convert_to_numpy(layer(np.ones((1, 8), "float32")))[0, 8:].tolist() == [0.0] * 5


@pytest.mark.parametrize("kwargs", [{"num_kernels": 0}, {"kernel_dim": 0}])
def test_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="Received"):
        MinibatchDiscrimination(**kwargs)
