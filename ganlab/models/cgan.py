"""Conditional GAN (Mirza & Osindero, 2014): G and D both see the label y."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, _replica_slot, mean_probability
from ganlab.nets.conditional import condition_vectors, generate_from_conditions
from ganlab.nets.inference import infer

LABEL_SAMPLING = ("data", "uniform")
"""How the labels of fake samples are drawn (compile option `label_sampling`)."""


def check_labels(labels, num_classes, n=None, arg="labels"):
    """Validate class labels; return them as an int32 numpy vector.

    Args:
        labels: integer labels, array-like of shape `(n,)` (a scalar is one label).
        num_classes: labels must lie in [0, num_classes).
        n: the length the labels must have (e.g. the number of z vectors);
            None: any length >= 1.
        arg: the argument's name, for the error message.

    Raises:
        ValueError: for non-integer labels, labels outside [0, num_classes),
            an empty array, or a length other than `n`.
    """
    y = np.asarray(labels)
    if y.ndim == 0:
        y = y.reshape(1)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"`{arg}` must be a non-empty vector of class labels, shape (n,). "
            f"Received: {arg} with shape {y.shape}"
        )
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValueError(f"`{arg}` must hold integers. Received: {arg} of dtype {y.dtype}")
    bad = (y < 0) | (y >= num_classes)
    if bad.any():
        raise ValueError(
            f"`{arg}` must lie in [0, {num_classes}) (num_classes={num_classes}). "
            f"Received: {arg} containing {sorted(set(y[bad].tolist()))[:5]}"
        )
    if n is not None and len(y) != n:
        raise ValueError(
            f"`{arg}` must have one label per latent vector ({n}). "
            f"Received: {arg} of length {len(y)}"
        )
    return y.astype(np.int32)


@keras.saving.register_keras_serializable("ganlab")
class ConditionalGAN(GANBase):
    """Conditional GAN (Mirza & Osindero 2014): G(z|y) and D(x|y).

    Both networks receive the class label y; the game is (Eq. 2 of the paper)

        min_G max_D V(D, G) = E_{x,y ~ p_data}[log D(x|y)]
                              + E_{z ~ p_z, y ~ p_y}[log(1 - D(G(z|y)|y))]

    Each `train_step` takes a batch `(images, labels)` and does:

    1. D-step: draw noise z and labels y' for the fakes (see
       `label_sampling`); update D by descending
       -[log D(x|y) + log(1 - D(G(z|y')|y'))] (G's trainable weights
       untouched).
    2. G-step: draw fresh z and y'; update G by descending the generator
       loss of D(G(z|y')|y') (D's trainable weights untouched).

    Both networks run in training mode in both steps, like `GAN`'s: G's
    batchnorm moving statistics change in the D-step and D's in the G-step
    (see `GANBase`).

    Losses are scaled to the global batch (`apply_step`), and noise and fake
    labels are drawn for the whole global batch from the model's seed, each
    replica keeping its slice, so a step on N replicas equals a step on one
    device (batchnorm included: the conditional DCGAN nets synchronise their
    batch statistics across replicas, see `ganlab.nets.dcgan`).

    Args:
        generator: net `[z (batch, latent_dim), labels (batch,) int]` ->
            samples, e.g. `ganlab.nets.conditional_dcgan_generator`.
        discriminator: net `[samples, labels]` -> logits, e.g.
            `ganlab.nets.conditional_dcgan_discriminator`.
        num_classes: number of classes; labels lie in [0, num_classes).
        **kwargs: `latent_dim`, `latent_distribution`, `seed` (see `GANBase`).

    Compile options (`compile(g_optimizer, d_optimizer, **options)`):
        generator_loss: "non_saturating" (default) or "minimax".
        label_sampling: "data" (default: the labels of the fakes are the
            batch's own labels, shuffled, so they follow the data's label
            distribution) or "uniform" (uniform over the classes).

    Trackers: d_loss, g_loss, d_real (mean D(x|y)), d_fake (mean D(G(z|y')|y')).

    Raises:
        ValueError: if `num_classes` is not an integer >= 2, or (in
            `compile`) for an unknown option value.

    Example:
        >>> from ganlab.nets import conditional_dcgan_generator, conditional_dcgan_discriminator
        >>> g = conditional_dcgan_generator(16, 10, image_size=16, channels=1, width=8)
        >>> d = conditional_dcgan_discriminator(10, image_size=16, channels=1, width=8)
        >>> cgan = ConditionalGAN(g, d, num_classes=10, seed=0)
        >>> cgan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...              keras.optimizers.Adam(2e-4, beta_1=0.5), label_sampling="uniform")
        >>> cgan.generate([7, 7, 3]).shape
        (3, 16, 16, 1)
    """

    def __init__(self, generator, discriminator, num_classes=10, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 2:
            raise ValueError(
                f"num_classes must be an integer >= 2. Received: num_classes={num_classes!r}"
            )
        self.num_classes = int(num_classes)
        self.add_trackers("d_loss", "g_loss", "d_real", "d_fake")
        self.configure()
        # Both nets are built; without this, `fit` under a strategy would
        # "build" the model by calling it on a batch of images, not [z, y].
        self.built = True

    def configure(self, generator_loss="non_saturating", label_sampling="data"):
        if generator_loss not in losses.GENERATOR_LOSSES:
            raise ValueError(
                f"generator_loss must be one of {sorted(losses.GENERATOR_LOSSES)}. "
                f"Received: generator_loss={generator_loss!r}"
            )
        if label_sampling not in LABEL_SAMPLING:
            raise ValueError(
                f"label_sampling must be one of {LABEL_SAMPLING}. "
                f"Received: label_sampling={label_sampling!r}"
            )
        self.generator_loss = generator_loss
        self.label_sampling = label_sampling
        self._generator_loss_fn = losses.GENERATOR_LOSSES[generator_loss]

    # ------------------------------------------------------------ randomness
    def sample_labels(self, labels):
        """Labels y' for a batch of fakes, one per real label of this replica.

        "data": a random permutation of the *global* batch's labels (gathered
        across replicas), so y' follows the data's label distribution;
        "uniform": uniform over [0, num_classes). Either way the global draw
        comes from the model's seed and each replica keeps its slice.
        """
        labels = ops.cast(labels, "int32")
        batch = ops.shape(labels)[0]
        replica, replicas = _replica_slot()
        if self.label_sampling == "uniform":
            y = keras.random.randint(
                (batch * replicas,), 0, self.num_classes, dtype="int32", seed=self.seed_generator
            )
        else:
            everyone = labels
            if replicas > 1:
                everyone = tf.distribute.get_replica_context().all_gather(labels, axis=0)
            keys = keras.random.uniform(ops.shape(everyone), seed=self.seed_generator)
            y = ops.take(everyone, ops.argsort(keys))
        if replicas == 1:
            return y
        return y[replica * batch : (replica + 1) * batch]

    # ----------------------------------------------------------------- steps
    def discriminator_step(self, real, labels, z=None, fake_labels=None):
        """One D update; G's trainable weights are left unchanged.

        Returns:
            (loss, real_logits, fake_logits).
        """
        real = ops.convert_to_tensor(real)
        labels = ops.cast(labels, "int32")
        z = self.sample_latent(ops.shape(real)[0], z)
        y = self.sample_labels(labels) if fake_labels is None else ops.cast(fake_labels, "int32")
        fake = self.generator([z, y], training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator([real, labels], training=True)
            fake_logits = self.discriminator([fake, y], training=True)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits)
        self.apply_step(tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables)
        return d_loss, real_logits, fake_logits

    def generator_step(self, labels, z=None, fake_labels=None):
        """One G update from fresh noise and labels; D's trainable weights are left unchanged.

        Returns:
            The generator loss.
        """
        labels = ops.cast(labels, "int32")
        z = self.sample_latent(ops.shape(labels)[0], z)
        y = self.sample_labels(labels) if fake_labels is None else ops.cast(fake_labels, "int32")
        with tf.GradientTape() as tape:
            fake = self.generator([z, y], training=True)
            fake_logits = self.discriminator([fake, y], training=True)
            g_loss = self._generator_loss_fn(fake_logits)
        self.apply_step(tape, g_loss, self.g_optimizer, self.generator.trainable_variables)
        return g_loss

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches, e.g. "
                "load_images(name, with_labels=True). Received: a batch without labels"
            )
        real, labels = data[0], data[1]
        d_loss, real_logits, fake_logits = self.discriminator_step(real, labels)
        g_loss = self.generator_step(labels)
        self.track(
            d_loss=d_loss,
            g_loss=g_loss,
            d_real=mean_probability(real_logits),
            d_fake=mean_probability(fake_logits),
        )
        return self.results()

    # ------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """G(z|y) for inputs `[z, labels]`."""
        return self.generator(inputs, training=training)

    def generate(self, labels, z=None, batch_size=1024):
        """Samples of the chosen classes: G(z|y) for each label y, as numpy.

        Args:
            labels: integer class labels, shape `(n,)`, in [0, num_classes).
            z: optional latent vectors `(n, latent_dim)`; drawn from the
                prior (the model's seed) when None.
            batch_size: samples per generator call.

        Returns:
            Numpy samples, one per label, in the order of `labels`.

        Raises:
            ValueError: for labels outside [0, num_classes), or a `labels`
                array whose length differs from the number of z vectors.
        """
        n = None if z is None else len(z)
        y = check_labels(labels, self.num_classes, n)
        if z is None:
            z = self.sample_latent(len(y))
        z = np.asarray(ops.convert_to_numpy(z), "float32")
        return infer(self.generator, [z, y], batch_size)

    def interpolate(self, start, end, z, steps=8):
        """Walk from class `start` to class `end` at fixed z.

        The condition vector goes linearly from c(start) to c(end) (one-hot
        vectors or learned embeddings) while z stays fixed:
        G(z | (1 - t) c(start) + t c(end)), t = 0 .. 1.

        Args:
            start, end: class labels.
            z: latent vectors `(rows, latent_dim)`; each gives one row.
            steps: number of points t along the way (>= 2).

        Returns:
            Numpy samples `(rows * steps, ...)`, row by row.

        Raises:
            ValueError: for a label outside [0, num_classes) or steps < 2.
        """
        if not isinstance(steps, int) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2. Received: steps={steps!r}")
        check_labels(start, self.num_classes, arg="start")
        check_labels(end, self.num_classes, arg="end")
        return interpolate_classes(self.generator, start, end, z, steps)

    def get_config(self):
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config


def interpolate_classes(generator, start, end, z, steps=8):
    """G(z | (1 - t) c(start) + t c(end)) for each row z and t in linspace(0, 1, steps).

    Works on a bare conditional generator (e.g. a loaded generator.keras).
    """
    z = np.asarray(z, "float32")
    c = condition_vectors(generator, [start, end])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    path = (1.0 - t) * c[0] + t * c[1]  # (steps, dim)
    rows = len(z)
    return generate_from_conditions(
        generator, np.repeat(z, steps, axis=0), np.tile(path, (rows, 1))
    )
