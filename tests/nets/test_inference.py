"""ganlab.nets.inference.infer: predict's outputs without predict's per-call pipeline."""

import gc
import weakref

import keras
import numpy as np
import pytest

from ganlab.nets import conditional_dcgan_generator, dcgan_generator
from ganlab.nets.inference import infer


def test_equals_predict_bit_for_bit_with_a_short_last_batch():
    g = dcgan_generator(8, 16, 1, 16)  # batchnorm: inference mode must use the moving stats
    z = np.random.default_rng(0).normal(size=(70, 8)).astype("float32")
    expected = g.predict(z, batch_size=32, verbose=0)
    got = infer(g, z, 32)  # 32 + 32 + 6
    assert got.shape == (70, 16, 16, 1)
    np.testing.assert_array_equal(got, expected)


def test_several_inputs():
    g = conditional_dcgan_generator(latent_dim=8, num_classes=10, image_size=16, channels=1, width=16)
    z = np.random.default_rng(1).normal(size=(20, 8)).astype("float32")
    y = (np.arange(20) % 10).astype("int32")
    np.testing.assert_array_equal(infer(g, [z, y], 8), g.predict([z, y], batch_size=8, verbose=0))


def test_bad_input_names_the_argument():
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        infer(net, np.zeros((4, 3), "float32"), 0)
    with pytest.raises(ValueError, match="one length"):
        infer(net, [np.zeros((4, 3)), np.zeros((5, 3))], 2)
    with pytest.raises(ValueError, match="is incompatible with the layer"):
        infer(net, np.zeros((4, 5), "float32"), 2)  # Keras's own message, not "in user code"
    with pytest.raises(ValueError, match="must not be empty"):
        infer(net, np.zeros((0, 3), "float32"), 2)


def test_the_cache_does_not_keep_a_net_alive():
    # An instructor's grader loads hundreds of students' nets in one process.
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    infer(net, np.ones((4, 3), "float32"), 2)
    ref = weakref.ref(net)
    del net
    gc.collect()
    assert ref() is None
