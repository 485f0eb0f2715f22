"""The original GAN (Goodfellow 2014), trained by Algorithm 1."""

import keras
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import (
    GANBase,
    _replica_slot,
    mean_probability,
    split_minibatches,
    uses_ema,
)


@keras.saving.register_keras_serializable("ganlab")
class GAN(GANBase):
    """Generative adversarial network, Algorithm 1 of Goodfellow 2014.

    Each `train_step` (one iteration of Algorithm 1):

    1. for k steps: draw a fresh minibatch of noise z and take a fresh
       minibatch of data x; update D by descending the minimax discriminator
       loss -[log D(x) + log(1 - D(G(z)))] (G's trainable weights untouched);
    2. draw a minibatch of noise; update G by descending the chosen
       generator loss (D's trainable weights untouched).

    Both networks run in training mode in both steps, so the batchnorm
    moving statistics of G change in D's step (on the fakes G makes) and
    those of D in G's step (on the fakes D scores), as in the PyTorch DCGAN
    reference (see `GANBase`).

    The k real minibatches come from the batch `fit` hands the step: a batch
    of k*m examples is split into k minibatches of m (interleaved, so any
    batch size works). Feed `fit` batches of k times the minibatch size.

    Compile options (`compile(g_optimizer, d_optimizer, **options)`):
        generator_loss: "non_saturating" (default; ascend log D(G(z)), what
            the paper uses in practice) or "minimax" (descend
            log(1 - D(G(z))), the equation on the slide).
        d_steps: k, discriminator steps per generator step (default 1).
        real_label: D's target on real data (default 1.0); 0.9 is the
            one-sided label smoothing of Salimans 2016, Section 3.4 (see
            `ganlab.losses.minimax_discriminator_loss`).
        translation: t, in pixels (default 0: off). Differentiable
            augmentation (DiffAugment, Zhao et al. 2020): every image D sees,
            real or generated, in D's steps and in G's, is first shifted by
            a random whole number of pixels in [-t, t] along each axis (per
            image; the uncovered border is filled with -1, the background
            of images in [-1, 1]). D then judges shifted digits and cannot
            simply memorise a small training set, while G, whose samples
            are shifted the same way and differentiably, is still pulled
            towards the unshifted data. G's samples are never shifted
            outside training.

    Weight averaging: give the generator's optimizer `use_ema=True` (and an
    `ema_momentum`) and, when `fit` ends, G's weights are replaced by their
    exponential moving average (`GANBase.fit`). Batchnorm's moving
    statistics are not weights the optimizer averages: they were collected
    with the last live weights, not the averaged ones. So `fit` then
    recomputes them for the averaged G (`recalibrate_batchnorm`), or G's
    inference-mode samples would normalise with the wrong statistics.
    Both hold under mixed_float16, where the optimizer is wrapped in a
    `keras.optimizers.LossScaleOptimizer` (its inner optimizer averages).

    Trackers: d_loss, g_loss, d_real (mean D(x)), d_fake (mean D(G(z))).

    Example:
        >>> from ganlab.nets import mlp_generator, mlp_discriminator
        >>> gan = GAN(mlp_generator(1, 1), mlp_discriminator(1), seed=0)
        >>> gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
        ...             generator_loss="minimax", d_steps=1)
    """

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.add_trackers("d_loss", "g_loss", "d_real", "d_fake")
        self.configure()

    def configure(self, generator_loss="non_saturating", d_steps=1, real_label=1.0,
                  translation=0):
        if generator_loss not in losses.GENERATOR_LOSSES:
            raise ValueError(
                f"generator_loss must be one of {sorted(losses.GENERATOR_LOSSES)}. "
                f"Received: generator_loss={generator_loss!r}"
            )
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(
                f"d_steps (k) must be an integer >= 1. Received: d_steps={d_steps!r}"
            )
        if isinstance(real_label, bool) or not isinstance(real_label, (int, float)) or not (
            0.0 < real_label <= 1.0
        ):
            raise ValueError(
                "real_label must be a number in (0, 1] (1: no smoothing; 0.9: one-sided "
                f"label smoothing). Received: real_label={real_label!r}"
            )
        if isinstance(translation, bool) or not isinstance(translation, int) or translation < 0:
            raise ValueError(
                "translation must be an integer >= 0 (pixels; 0 is off). "
                f"Received: translation={translation!r}"
            )
        self.generator_loss = generator_loss
        self.d_steps = d_steps
        self.real_label = float(real_label)
        self.translation = translation
        self._generator_loss_fn = losses.GENERATOR_LOSSES[generator_loss]

    def discriminator_step(self, real, z=None):
        """One D update on `real` and G(z); returns (loss, real_logits, fake_logits)."""
        z = self.sample_latent(ops.shape(real)[0], z)
        fake = self.generator(z, training=True)
        real, fake = self.augment(real), self.augment(fake)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = losses.minimax_discriminator_loss(
                real_logits, fake_logits, real_label=self.real_label
            )
        self.apply_step(
            tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables
        )
        return d_loss, real_logits, fake_logits

    def generator_step(self, batch_size, z=None):
        """One G update from a fresh noise minibatch; returns the loss."""
        z = self.sample_latent(batch_size, z)
        with tf.GradientTape() as tape:
            fake = self.augment(self.generator(z, training=True))
            fake_logits = self.discriminator(fake, training=True)
            g_loss = self._generator_loss_fn(fake_logits)
        self.apply_step(tape, g_loss, self.g_optimizer, self.generator.trainable_variables)
        return g_loss

    def augment(self, images):
        """What D is shown of a batch of images: shifted by up to `translation` pixels."""
        if not self.translation:
            return images
        return random_translation(images, self.translation, self.seed_generator)

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        minibatches = split_minibatches(real, self.d_steps)
        for x in minibatches:
            d_loss, real_logits, fake_logits = self.discriminator_step(x)
        g_loss = self.generator_step(ops.shape(minibatches[0])[0])
        self.track(
            d_loss=d_loss,
            g_loss=g_loss,
            d_real=mean_probability(real_logits),
            d_fake=mean_probability(fake_logits),
        )
        return self.results()

    def fit(self, *args, **kwargs):
        """`GANBase.fit` (which applies G's weight average, if any), then, if
        G's weights were averaged, `recalibrate_batchnorm`."""
        history = super().fit(*args, **kwargs)
        if uses_ema(self.g_optimizer):
            self.recalibrate_batchnorm()
        return history

    def recalibrate_batchnorm(self, batches=16, batch_size=256):
        """Recompute the moving statistics of G's batchnorm layers for its current weights.

        G runs in training mode on `batches` fresh minibatches from the latent
        prior; each layer's moving mean and variance become the plain average
        of those minibatches' statistics ("precise BN", Wu & Johnson 2021),
        whatever the layer's momentum. Needed after G's weights are replaced
        by their average, which leaves statistics measured with other weights.
        A generator without batchnorm is left as it is.

        Args:
            batches: number of minibatches averaged.
            batch_size: size of each minibatch.

        Returns:
            The number of batchnorm layers recalibrated.
        """
        return recalibrate_batchnorm(self.generator, lambda: self.sample_latent(batch_size), batches)


def random_translation(images, max_shift, seed):
    """Shift each image by a random whole number of pixels, differentiably.

    Each image (batch, H, W, C) moves by dy, dx drawn uniformly from
    [-max_shift, max_shift]; pixels shifted in from outside are -1 (the
    background of images in [-1, 1]). The shift is a product with 0/1 shift
    matrices, S_y (x + 1) S_x^T - 1, so gradients flow back to the images
    (DiffAugment's translation, Zhao et al. 2020). Under `tf.distribute`
    the shifts of the whole global batch are drawn and each replica keeps
    its own slice, as for the latent noise.

    Args:
        images: batch of images in [-1, 1], (batch, H, W, C).
        max_shift: largest shift in pixels along each axis.
        seed: `keras.random.SeedGenerator` (or int) for the shifts.

    Returns:
        The shifted images, same shape and dtype.
    """
    batch = ops.shape(images)[0]
    replica, replicas = _replica_slot()

    def shifts(size):
        s = keras.random.randint((batch * replicas,), -max_shift, max_shift + 1, seed=seed)
        if replicas > 1:
            s = s[replica * batch : (replica + 1) * batch]
        i = ops.arange(size, dtype="int32")  # as randint's, whatever floatx is
        # matrix[n, a, b] = 1 where row a of the output takes row b = a - s[n]
        return ops.cast(
            ops.equal(i[None, :, None] - s[:, None, None], i[None, None, :]), images.dtype
        )

    rows, cols = shifts(images.shape[1]), shifts(images.shape[2])
    one = ops.cast(1.0, images.dtype)
    return ops.einsum("nab,nbwc,nxw->naxc", rows, images + one, cols) - one


def recalibrate_batchnorm(generator, draw_inputs, batches=16):
    """Set the moving statistics of `generator`'s batchnorm layers to those of fresh minibatches.

    `generator` runs in training mode on `batches` minibatches, each from
    `draw_inputs()`; each layer's moving mean and variance become the plain
    average of those minibatches' statistics ("precise BN", Wu & Johnson
    2021), whatever the layer's momentum (restored afterwards). Used by
    `GAN.recalibrate_batchnorm` (z from the prior) and
    `GANCLS.recalibrate_batchnorm` (z and training texts).

    Returns:
        The number of batchnorm layers recalibrated (0: none, nothing runs).
    """
    norms = [layer for layer in _all_layers(generator)
             if isinstance(layer, keras.layers.BatchNormalization)]
    if not norms:
        return 0
    momenta = [layer.momentum for layer in norms]
    try:
        for i in range(batches):
            for layer in norms:  # momentum i / (i + 1): the running mean of batches
                layer.momentum = i / (i + 1)
            generator(draw_inputs(), training=True)
    finally:
        for layer, momentum in zip(norms, momenta, strict=True):
            layer.momentum = momentum
    return len(norms)


def _all_layers(model):
    """Every layer of a model, nested models' layers included."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)
