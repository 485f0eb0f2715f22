"""The image pool (CycleGAN) and history buffer (SimGAN): D also sees older fakes.

Shrivastava et al. 2017 (SimGAN, Section 2.3) update the discriminator with
refined images from a buffer of earlier ones as well as the current ones, so
D does not forget the artefacts G produced earlier and G cannot bring them
back; Zhu et al. 2017 (CycleGAN, Section 4) use the same idea with a pool of
the 50 most recent generated images. One implementation serves both.
"""

import keras
import tensorflow as tf
from keras import ops

from ganlab.nets.layers import ReplicaSafeSeedGenerator


@keras.saving.register_keras_serializable("ganlab")
class ImagePool(keras.layers.Layer):
    """A pool of earlier generated images, held in variables (so it lives inside `train_step`).

    `query(images)` follows the reference code (junyanz/pytorch-CycleGAN-and-
    pix2pix, `util/image_pool.py`), one image at a time, in order:

    - while the pool holds fewer than `pool_size` images, the image is
      stored and returned as it is;
    - once it is full, with probability `swap_probability` (0.5 in the
      reference) a stored image drawn uniformly is returned and the new
      image takes its slot; otherwise the new image is returned and the
      pool is unchanged.

    So about half of what D sees comes from the history once the pool is
    full. SimGAN's buffer is the same object with `swap_probability` 0.5
    as well: half of D's fake minibatch from the buffer, half current, and
    the buffer updated with the current images.

    The pool is two variables (the images and how many are stored) and its
    own seed state, so it runs under `tf.function`, is saved in checkpoints
    with the model, and is repeatable under a seed. Under a `tf.distribute`
    strategy every replica gathers the images of the whole global batch,
    answers the query for all of them with the same random draws (so every
    replica's pool stays identical to the one a single device would hold)
    and keeps its own slice. The images returned carry no gradient.

    Args:
        pool_size: images the pool holds (50 in CycleGAN); 0 turns it off
            (`query` returns its input).
        image_shape: shape of one image, e.g. (64, 64, 3).
        swap_probability: chance that a full pool answers with a stored image.
        seed: integer seed of the pool's random draws.

    Example:
        >>> pool = ImagePool(4, (2, 2, 1), seed=0)
        >>> out = pool.query(keras.ops.ones((3, 2, 2, 1)))  # filling: returned as given
        >>> int(pool.count.numpy())
        3
    """

    def __init__(self, pool_size=50, image_shape=None, swap_probability=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0. Received: pool_size={pool_size!r}")
        if image_shape is None or len(tuple(image_shape)) < 1 or any(
                not isinstance(d, int) or d < 1 for d in tuple(image_shape)):
            raise ValueError(
                "image_shape must be the shape of one image, positive integers such as "
                f"(64, 64, 3). Received: image_shape={image_shape!r}"
            )
        if not 0.0 <= swap_probability <= 1.0:
            raise ValueError(
                "swap_probability must be in [0, 1]. "
                f"Received: swap_probability={swap_probability!r}"
            )
        self.pool_size = pool_size
        self.image_shape = tuple(image_shape)
        self.swap_probability = float(swap_probability)
        self.seed = seed
        self.seed_generator = ReplicaSafeSeedGenerator(seed, name="pool_seed")
        # Every replica writes the same values, so the first replica's are exact.
        self.images = self.add_weight(
            name="images", shape=(max(pool_size, 1), *self.image_shape), initializer="zeros",
            trainable=False, aggregation="only_first_replica")
        self.count = self.add_weight(
            name="count", shape=(), dtype="int32", initializer="zeros", trainable=False,
            aggregation="only_first_replica")
        self.built = True

    def call(self, images):
        return self.query(images)

    def query(self, images):
        """Images for D: each new image, or a stored one it replaces (see the class docstring).

        Args:
            images: a batch of generated images, (batch, *image_shape).

        Returns:
            A tensor of the same shape, without gradient.
        """
        images = ops.stop_gradient(ops.convert_to_tensor(images))
        if tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"the pool holds images of shape {self.image_shape}. "
                f"Received: images of shape {tuple(images.shape)}"
            )
        if self.pool_size == 0:
            return images
        ctx = tf.distribute.get_replica_context()
        replicas = 1 if ctx is None else ctx.num_replicas_in_sync
        local = tf.shape(images)[0]
        batch = ctx.all_gather(images, axis=0) if replicas > 1 else images
        out = self._query_global(tf.cast(batch, self.images.dtype))
        if replicas > 1:
            start = ctx.replica_id_in_sync_group * local
            out = out[start:start + local]
        return ops.cast(out, images.dtype)

    def _query_global(self, batch):
        n = tf.shape(batch)[0]
        # One draw per image for the whole batch: the same on every replica.
        swap = keras.random.uniform((n,), seed=self.seed_generator) < self.swap_probability
        slots = keras.random.randint((n,), 0, self.pool_size, seed=self.seed_generator)
        pool = tf.convert_to_tensor(self.images)
        count = tf.convert_to_tensor(self.count)
        answers = tf.TensorArray(batch.dtype, size=n, element_shape=self.image_shape)

        def body(i, pool, count, answers):
            image = batch[i]
            filling = count < self.pool_size
            slot = tf.where(filling, count, slots[i])
            replace = filling | swap[i]
            stored = pool[slot]
            answer = tf.where(filling | ~swap[i], image, stored)
            pool = tf.tensor_scatter_nd_update(
                pool, [[slot]], [tf.where(replace, image, stored)])
            return i + 1, pool, count + tf.cast(filling, count.dtype), answers.write(i, answer)

        _, pool, count, answers = tf.while_loop(
            lambda i, *_: i < n, body, (tf.constant(0), pool, count, answers))
        self.images.assign(pool)
        self.count.assign(count)
        return answers.stack()

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size,
                "image_shape": list(self.image_shape),
                "swap_probability": self.swap_probability, "seed": self.seed}
