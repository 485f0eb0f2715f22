"""Custom layers shared by the architectures."""

import keras
from keras import ops


class ReplicaSafeSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` whose state can advance inside a replica.

    Keras creates the state with aggregation "none", which a
    `MirroredStrategy` refuses to assign in replica context. Every replica
    advances the state identically, so taking the first replica's value
    ("only_first_replica") is exact.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        super().__init__(seed=seed, name=name, **kwargs)
        initial = self.state.value
        with self.backend.name_scope(self.name, caller=self):
            self.state = self.backend.Variable(
                initial,
                dtype=self.backend.random_seed_dtype(),
                trainable=False,
                aggregation="only_first_replica",
                name="seed_generator_state",
            )


@keras.saving.register_keras_serializable("ganlab")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans 2016, Section 3.2).

    Lets the discriminator look at a sample *together with* the rest of its
    minibatch, so a generator that puts all its samples in one place (mode or
    variance collapse) is easy to tell from data. For features f(x_i) in R^A
    and a learned tensor T in R^{A x B x C}:

        M_i        = f(x_i) T                    (a B x C matrix)
        c_b(i, j)  = exp(-||M_{i,b} - M_{j,b}||_1)
        o(x_i)_b   = 1/(n-1) sum_{j != i} c_b(i, j)      (b = 1..B)

    and the layer returns [f(x_i), o(x_i)]. The paper's sum runs over all j;
    the j = i term is the constant exp(0) = 1, left out here. The paper's
    o is a plain sum; here it is the mean over the n - 1 others, so each
    feature lies in [0, 1] whatever the minibatch size (and so whatever the
    number of replicas sharing a global batch). The paper's reference code
    (improved-gan, `MinibatchLayer`) tames the same scale another way, with a
    data-dependent initialisation and a learned offset. With the plain sum a
    batch of 128 put D's first logits at 10-13 (o about 20-29): on lab 02's
    ring, 2 of 10 seeds then never reached any mode, and none did with the
    mean (measured in stop 11; `ganlab.recipes.toy`). Under `tf.distribute`
    the minibatch is each replica's share of the batch.

    Args:
        num_kernels: B, the number of minibatch features added.
        kernel_dim: C, the dimension each is compared in.

    Example:
        >>> layer = MinibatchDiscrimination(5, 3)
        >>> layer(keras.ops.ones((4, 8))).shape
        (4, 13)
    """

    def __init__(self, num_kernels=5, kernel_dim=3, **kwargs):
        super().__init__(**kwargs)
        if num_kernels < 1 or kernel_dim < 1:
            raise ValueError(
                "MinibatchDiscrimination needs num_kernels >= 1 and kernel_dim "
                f">= 1. Received: num_kernels={num_kernels}, "
                f"kernel_dim={kernel_dim}"
            )
        self.num_kernels = num_kernels
        self.kernel_dim = kernel_dim

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.1),
        )

    def call(self, x):
        m = ops.reshape(
            ops.matmul(x, self.kernel), (-1, self.num_kernels, self.kernel_dim)
        )
        diffs = ops.expand_dims(m, 0) - ops.expand_dims(m, 1)  # (N, N, B, C)
        c = ops.exp(-ops.sum(ops.abs(diffs), axis=-1))  # (N, N, B)
        others = ops.maximum(ops.cast(ops.shape(x)[0] - 1, c.dtype), 1.0)
        # A product with the reciprocal, not a division: with a static batch
        # size TensorFlow folds a division by a constant into this product, with
        # a dynamic one it does not, and the last bit then differed between a
        # run and its resumed copy (tests/training/test_resume.py).
        o = (ops.sum(c, axis=1) - 1.0) * ops.reciprocal(others)
        return ops.concatenate([x, ops.cast(o, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
        }


@keras.saving.register_keras_serializable("ganlab")
class MinibatchStddev(keras.layers.Layer):
    """Minibatch standard deviation feature (Karras 2018, Section 3).

    Appends one feature: the standard deviation of each feature over the
    minibatch, averaged over features (and positions, for maps). Data and a
    variance-collapsed generator differ in exactly this number, so the
    discriminator can see the collapse. Works on (N, F) and (N, H, W, C).

    With `group_size` G (StyleGAN's reference code uses 4), the statistic is
    computed per group of G consecutive samples instead of the whole
    minibatch, and each sample gets its group's. The groups are
    consecutive, so when every replica's share of a global batch is a
    multiple of G, N replicas form exactly the groups one device would (a
    whole-batch statistic differs between 1 and 2 replicas). A batch must
    then be a multiple of G.

    Args:
        group_size: None (the whole minibatch, Karras 2018) or G >= 1.

    Example:
        >>> MinibatchStddev()(keras.ops.ones((4, 8))).shape
        (4, 9)
    """

    def __init__(self, group_size=None, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None and (isinstance(group_size, bool) or not isinstance(
                group_size, int) or group_size < 1):
            raise ValueError("group_size must be None (the whole minibatch) or an integer >= 1. "
                             f"Received: group_size={group_size!r}")
        self.group_size = group_size

    def call(self, x):
        if self.group_size is None:
            mean = ops.mean(x, axis=0, keepdims=True)
            std = ops.sqrt(ops.mean(ops.square(x - mean), axis=0) + 1e-8)
            stat = ops.mean(std)
            feature = ops.ones_like(x[..., :1]) * stat
            return ops.concatenate([x, feature], axis=-1)
        g = self.group_size
        groups = ops.reshape(x, (-1, g, *x.shape[1:]))  # consecutive samples
        mean = ops.mean(groups, axis=1, keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(groups - mean), axis=1) + 1e-8)
        stat = ops.mean(ops.reshape(std, (ops.shape(std)[0], -1)), axis=1)  # one per group
        stat = ops.repeat(stat, g, axis=0)
        feature = ops.ones_like(x[..., :1]) * ops.reshape(stat, (-1,) + (1,) * (len(x.shape) - 1))
        return ops.concatenate([x, feature], axis=-1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


@keras.saving.register_keras_serializable("ganlab")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the two spatial axes of NHWC images by reflection (PyTorch's `nn.ReflectionPad2d`).

    Keras has no reflection-padding layer; CycleGAN's ResNet generator
    (Zhu 2017, Appendix 7.2) pads every convolution this way "to reduce
    artifacts" at the borders. The border pixel is not repeated (numpy's
    and PyTorch's "reflect" mode): [a, b, c] padded by 2 is [c, b, a, b, c, b, a].

    Args:
        padding: pixels added on each side, an int or (rows, columns).
            Each must be smaller than the input's side.

    Example:
        >>> ReflectionPadding2D(3)(keras.ops.ones((1, 8, 8, 2))).shape
        (1, 14, 14, 2)
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        pair = (padding, padding) if isinstance(padding, int) else tuple(padding)
        if len(pair) != 2 or any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in pair):
            raise ValueError(
                "padding must be an int >= 0 or a pair of them (rows, columns). "
                f"Received: padding={padding!r}"
            )
        self.padding = pair

    def build(self, input_shape):
        rows, cols = input_shape[1], input_shape[2]
        for axis, side, pad in (("rows", rows, self.padding[0]), ("columns", cols, self.padding[1])):
            if side is not None and pad >= side:
                raise ValueError(
                    f"reflection padding needs padding < the input's {axis} ({side}). "
                    f"Received: padding={self.padding}"
                )

    def call(self, x):
        r, c = self.padding
        return ops.pad(x, [[0, 0], [r, r], [c, c], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        n, h, w, ch = input_shape
        grow = lambda side, pad: None if side is None else side + 2 * pad  # noqa: E731
        return (n, grow(h, self.padding[0]), grow(w, self.padding[1]), ch)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
