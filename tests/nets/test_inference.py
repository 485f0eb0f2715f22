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


def test_input_gradients_match_the_tape_eager_and_traced():
    """Scores and d score / dx of a critic, eagerly and through its cached tf.function."""
    from ganlab.nets import inference

    keras.utils.set_random_seed(3)
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                               keras.layers.Dense(1)])
    x = np.random.default_rng(0).standard_normal((50, 2)).astype("float32")
    w1, b1 = critic.layers[0].get_weights()
    w2, _ = critic.layers[1].get_weights()
    h = np.tanh(x @ w1 + b1)
    by_hand = ((1 - h ** 2) * w2[:, 0]) @ w1.T  # d/dx of w2 . tanh(W1 x + b1)
    for call, traced in enumerate((False, True, True)):
        scores, grads = inference.input_gradients(critic, x, traced)
        np.testing.assert_allclose(scores, np.asarray(critic(x)).reshape(-1), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(grads, by_hand, rtol=1e-4, atol=1e-6)
        # Eager: nothing cached; traced: one function, kept for the next call.
        cached = inference._FUNCTIONS.get(critic, {}).get(inference._scores_and_gradient)
        assert (cached is None) == (call == 0)
    assert grads.shape == (50, 2) and scores.dtype == np.float32
