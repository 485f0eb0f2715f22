"""The image pool / history buffer: it fills, answers half from history, samples every slot."""

import numpy as np
import pytest
import tensorflow as tf

from ganlab.models import ImagePool

SHAPE = (2, 2, 1)


def images(values):
    """One image per value, every pixel equal to it: an image's identity is its value."""
    return np.asarray(values, "float32")[:, None, None, None] * np.ones((1, *SHAPE), "float32")


def ids(batch):
    return np.asarray(batch)[:, 0, 0, 0].round().astype(int).tolist()


def test_fills_first_and_returns_the_new_images_while_filling():
    pool = ImagePool(5, SHAPE, seed=0)
    assert ids(pool.query(images([1, 2, 3]))) == [1, 2, 3]
    assert int(pool.count.numpy()) == 3
    assert ids(pool.query(images([4, 5]))) == [4, 5]
    assert int(pool.count.numpy()) == 5
    assert sorted(ids(pool.images.numpy())) == [1, 2, 3, 4, 5]  # a buffer that never fills fails here
    pool.query(images([6, 7, 8]))
    assert int(pool.count.numpy()) == 5


def test_a_batch_that_crosses_the_fill_line():
    pool = ImagePool(3, SHAPE, swap_probability=1.0, seed=0)
    out = ids(pool.query(images([1, 2, 3, 4])))
    assert out[:3] == [1, 2, 3]
    assert out[3] in (1, 2, 3)  # the pool was full: the 4th gets a stored image...
    assert 4 in ids(pool.images.numpy())  # ...and takes its slot


def run_full_pool(seed, queries=400, pool_size=10):
    pool = ImagePool(pool_size, SHAPE, seed=seed)
    pool.query(images(range(1000, 1000 + pool_size)))
    answers = []
    for k in range(queries):
        answers.append(ids(pool.query(images([k])))[0])
    return answers, pool


def test_half_the_answers_come_from_history_and_from_every_slot():
    answers, pool = run_full_pool(seed=1)
    from_history = [a for k, a in enumerate(answers) if a != k]
    assert 0.42 < len(from_history) / len(answers) < 0.58
    # Answers from history are earlier images, never later ones.
    assert all(a <= k or a >= 1000 for k, a in enumerate(answers))
    # Sampling that always read the same slot would return only a few distinct images.
    assert len(set(from_history)) > 100
    first_fill = {a for a in from_history if a >= 1000}
    assert first_fill == set(range(1000, 1010))  # every initial slot was drawn at some point
    assert sorted(ids(pool.images.numpy())) != list(range(1000, 1010))  # the pool was updated


def test_repeatable_under_a_seed_and_different_across_seeds():
    assert run_full_pool(3, queries=60)[0] == run_full_pool(3, queries=60)[0]
    assert run_full_pool(3, queries=60)[0] != run_full_pool(4, queries=60)[0]


def test_inside_tf_function_equals_eager():
    eager = ImagePool(4, SHAPE, seed=5)
    graph = ImagePool(4, SHAPE, seed=5)
    query = tf.function(graph.query)
    for k in range(12):
        batch = images([3 * k, 3 * k + 1, 3 * k + 2])
        assert ids(eager.query(batch)) == ids(query(batch))
    np.testing.assert_array_equal(eager.images.numpy(), graph.images.numpy())


def test_no_gradient_flows_through_the_pool():
    pool = ImagePool(2, SHAPE, seed=0)
    x = tf.Variable(images([1, 2, 3]))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(pool.query(x))
    assert tape.gradient(y, x) is None


def test_pool_size_zero_returns_its_input():
    pool = ImagePool(0, SHAPE, seed=0)
    assert ids(pool.query(images([7, 8]))) == [7, 8]


@pytest.mark.parametrize("kwargs, match", [
    ({"pool_size": -1}, "pool_size=-1"),
    ({"image_shape": None}, "image_shape=None"),
    ({"swap_probability": 1.5}, "swap_probability=1.5"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImagePool(**{"pool_size": 4, "image_shape": SHAPE, **kwargs})


def test_wrong_image_shape():
    with pytest.raises(ValueError, match="shape"):
        ImagePool(4, SHAPE).query(np.zeros((1, 3, 3, 1), "float32"))
