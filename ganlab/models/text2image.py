"""Text to image (Reed et al. 2016): GAN-CLS / GAN-INT, and the text encoder's pretraining."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, _replica_slot, mean_probability
from ganlab.models.gan import random_translation, recalibrate_batchnorm
from ganlab.nets.inference import infer


def _global(values):
    """The global batch's `values` (gathered across replicas) and this replica's slot."""
    replica, replicas = _replica_slot()
    if replicas > 1:
        values = tf.distribute.get_replica_context().all_gather(values, axis=0)
    return values, replica, replicas


def _local(values, replica, replicas, batch):
    return values if replicas == 1 else values[replica * batch : (replica + 1) * batch]


@keras.saving.register_keras_serializable("ganlab")
class GANCLS(GANBase):
    """GAN-CLS and GAN-INT (Reed et al. 2016, Algorithm 1): draw what a text embedding says.

    G(z, phi(t)) draws an image for the text embedding phi(t); D(x, phi(t))
    scores image-text pairs. Each `train_step` takes a batch `(images,
    text_embeddings)` of matching pairs (the embeddings of a frozen,
    pretrained text encoder) and does:

    1. D-step. With the *matching-aware* discriminator (`matching_aware=True`,
       GAN-CLS) D sees three pairs: (real image, right text) s_r, (real
       image, wrong text) s_w, (fake image, right text) s_f, and ascends
       log(s_r) + (log(1 - s_w) + log(1 - s_f)) / 2
       (`ganlab.losses.matching_aware_discriminator_loss`). The wrong text
       of image i is the text of image i + 1 of the (shuffled) global batch.
       With `matching_aware=False` (the paper's plain "GAN" baseline) D
       ascends log(s_r) + log(1 - s_f): it never learns that a real image
       can be wrong for a text.
    2. G-step: descend -log(s_f) (non-saturating), plus with GAN-INT
       (`interpolation_beta` = beta, 0.5 in the paper, Sec. 4.3) the same
       loss for the interpolated embedding beta t1 + (1 - beta) t2 of two
       texts of the batch (t2 a random permutation of t1); D is never shown
       an interpolated text with a real image.

    Both nets run in training mode in both steps, as `ConditionalGAN`; the
    (real, right) and (real, wrong) pairs go through D as one batch, so D's
    batchnorm normalises the real pairs together and the fakes apart (as
    DCGAN's separate real and fake minibatches).
    Losses are scaled to the global batch; noise, the wrong texts and the
    interpolation partners are drawn or gathered over the global batch from
    the model's seed, each replica keeping its slice, so N replicas equal
    one device.

    Args:
        generator: `[z, phi(t)]` -> images (`ganlab.nets.text.text_generator`).
        discriminator: `[images, phi(t)]` -> logits (`text_discriminator`).
        **kwargs: `latent_dim`, `latent_distribution`, `seed` (see `GANBase`).

    Compile options: `matching_aware` (default True: GAN-CLS),
    `interpolation_beta` (default 0.5: GAN-INT; None: off), `translation`
    (default 0: every image D sees is shifted by up to that many pixels,
    DiffAugment, Zhao 2020, as lab 03's `GAN`; the texts are not changed).

    Trackers: d_loss, g_loss, s_real, s_wrong, s_fake (mean D of each pair).

    Raises:
        ValueError: for an interpolation_beta outside [0, 1] or a
            non-boolean matching_aware.

    Example:
        >>> from ganlab.nets.text import text_generator, text_discriminator
        >>> gan = GANCLS(text_generator(8, 32, 16, 1, 8), text_discriminator(32, 16, 1, 8), seed=0)
        >>> gan.compile(keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4))
        >>> gan.generate(np.zeros((3, 32), "float32")).shape
        (3, 16, 16, 1)
    """

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.text_dim = int(generator.input_shape[1][-1])
        self.add_trackers("d_loss", "g_loss", "s_real", "s_wrong", "s_fake")
        self.configure()
        self.built = True

    def configure(self, matching_aware=True, interpolation_beta=0.5, translation=0):
        if not isinstance(matching_aware, bool):
            raise ValueError(f"matching_aware must be True or False. "
                             f"Received: matching_aware={matching_aware!r}")
        if interpolation_beta is not None and (
                isinstance(interpolation_beta, bool)
                or not isinstance(interpolation_beta, (int, float))
                or not 0.0 <= interpolation_beta <= 1.0):
            raise ValueError("interpolation_beta must be a number in [0, 1] (0.5 in the paper) "
                             f"or None. Received: interpolation_beta={interpolation_beta!r}")
        if isinstance(translation, bool) or not isinstance(translation, int) or translation < 0:
            raise ValueError("translation must be an integer >= 0 (pixels; 0 is off). "
                             f"Received: translation={translation!r}")
        self.matching_aware = matching_aware
        self.interpolation_beta = None if interpolation_beta is None else float(interpolation_beta)
        self.translation = translation

    def augment(self, images):
        """What D is shown of images: shifted by up to `translation` pixels (DiffAugment)."""
        if not self.translation:
            return images
        return random_translation(images, self.translation, self.seed_generator)

    # ------------------------------------------------------------ texts
    def batch_texts(self, texts):
        """(right, wrong, partner) texts of this replica's pairs, from the global batch.

        The global batch's texts are gathered once, first: every later
        collective (synchronised batchnorm, the gradients' all-reduce) then
        depends on the gather, so the replicas run their collectives in the
        same order. wrong: the text of the next pair of the global batch
        (the batch is shuffled); partner: a random permutation of the
        global batch's texts, drawn from the model's seed (GAN-INT's t2).
        """
        texts = ops.convert_to_tensor(texts)
        batch = ops.shape(texts)[0]
        everyone, replica, replicas = _global(texts)
        right = _local(everyone, replica, replicas, batch)
        wrong = _local(ops.roll(everyone, 1, axis=0), replica, replicas, batch)
        keys = keras.random.uniform(ops.shape(everyone)[:1], seed=self.seed_generator)
        partner = _local(ops.take(everyone, ops.argsort(keys), axis=0), replica, replicas, batch)
        return right, wrong, partner

    def wrong_texts(self, texts):
        """The wrong text of each pair: the next pair's text in the global batch."""
        return self.batch_texts(texts)[1]

    def interpolated_texts(self, texts, partner=None):
        """beta t1 + (1 - beta) t2, t2 a random permutation of the global batch's texts."""
        if partner is None:
            texts, _, partner = self.batch_texts(texts)
        beta = self.interpolation_beta
        return beta * texts + (1.0 - beta) * partner

    # ------------------------------------------------------------ steps
    def discriminator_step(self, real, texts, z=None, wrong=None):
        """One D update; returns (loss, s_r logits, s_w logits, s_f logits)."""
        real = ops.convert_to_tensor(real)
        if wrong is None:
            texts, wrong, _ = self.batch_texts(texts)
        z = self.sample_latent(ops.shape(real)[0], z)
        fake = self.generator([z, texts], training=True)
        with tf.GradientTape() as tape:
            # The real image with its right and with its wrong text go through D as one
            # batch (the plain variant only tracks s_w): two D calls per step, as every
            # other variant's, keep the replicas' batchnorm collectives in one order.
            # One shift per real image, the same for its right and its wrong text (and a
            # draw per replica slice of the global batch, so N replicas equal one device).
            shifted = self.augment(real)
            both = self.discriminator([ops.concatenate([shifted, shifted], axis=0),
                                       ops.concatenate([texts, wrong], axis=0)], training=True)
            batch = ops.shape(real)[0]
            l_r, l_w = both[:batch], both[batch:]
            l_f = self.discriminator([self.augment(fake), texts], training=True)
            if self.matching_aware:
                d_loss = losses.matching_aware_discriminator_loss(l_r, l_w, l_f)
            else:
                d_loss = losses.minimax_discriminator_loss(l_r, l_f)
        self.apply_step(tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables)
        return d_loss, l_r, l_w, l_f

    def generator_step(self, texts, z=None, partner=None):
        """One G update (GAN-INT's interpolated term included); returns the loss."""
        if partner is None:
            texts, _, partner = self.batch_texts(texts)
        batch = ops.shape(texts)[0]
        z = self.sample_latent(batch, z)
        mixed = None
        if self.interpolation_beta is not None:
            mixed = self.interpolated_texts(texts, partner)
            z_int = self.sample_latent(batch)
        # With GAN-INT, the right and the interpolated texts go through G and D as one
        # batch: one call of each net per step keeps the replicas' collectives in order.
        if mixed is not None:
            z = ops.concatenate([z, z_int], axis=0)
            texts = ops.concatenate([texts, mixed], axis=0)
        with tf.GradientTape() as tape:
            fakes = self.generator([z, texts], training=True)
            if mixed is None:
                fakes = self.augment(fakes)
            else:  # each half shifted by its own draw, as each replica slices it
                fakes = ops.concatenate([self.augment(fakes[:batch]),
                                         self.augment(fakes[batch:])], axis=0)
            logits = self.discriminator([fakes, texts], training=True)
            g_loss = losses.non_saturating_generator_loss(logits[:batch])
            if mixed is not None:
                g_loss = g_loss + losses.non_saturating_generator_loss(logits[batch:])
        self.apply_step(tape, g_loss, self.g_optimizer, self.generator.trainable_variables)
        return g_loss

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("GANCLS trains on (images, text_embeddings) batches. "
                             "Received: a batch without texts")
        right, wrong, partner = self.batch_texts(data[1])
        d_loss, l_r, l_w, l_f = self.discriminator_step(data[0], right, wrong=wrong)
        g_loss = self.generator_step(right, partner=partner)
        self.track(d_loss=d_loss, g_loss=g_loss, s_real=mean_probability(l_r),
                   s_wrong=mean_probability(l_w), s_fake=mean_probability(l_f))
        return self.results()

    def recalibrate_batchnorm(self, texts, batches=16, batch_size=256):
        """Recompute G's batchnorm statistics for its current weights ("precise BN").

        Each minibatch pairs z from the prior with `batch_size` rows of
        `texts` drawn from the model's seed. Call it after `fit` when G's
        optimizer averages the weights (`use_ema`): `fit` swaps the average
        in, whose statistics differ from the live weights' that batchnorm
        collected, and unlike `GAN` this model cannot draw texts itself.

        Args:
            texts: training text embeddings, (n, text_dim).
            batches, batch_size: minibatches averaged and their size.

        Returns:
            The number of batchnorm layers recalibrated.

        Raises:
            ValueError: for texts of another shape.
        """
        t = np.asarray(texts, "float32")
        if t.ndim != 2 or t.shape[1] != self.text_dim or not len(t):
            raise ValueError(f"`texts` must be text embeddings (n >= 1, {self.text_dim}). "
                             f"Received: texts with shape {t.shape}")
        n, t = len(t), ops.convert_to_tensor(t)

        def draw():  # ganlab.models.gan.recalibrate_batchnorm averages these minibatches
            pick = keras.random.randint((batch_size,), 0, n, seed=self.seed_generator)
            return [self.sample_latent(batch_size), ops.take(t, pick, axis=0)]

        return recalibrate_batchnorm(self.generator, draw, batches)

    # ---------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def generate(self, texts, z=None, batch_size=1024):
        """G(z, phi(t)) for each text embedding (n, text_dim), as numpy.

        Raises:
            ValueError: for embeddings of the wrong width, or a z of another length.
        """
        t = np.asarray(texts, "float32")
        if t.ndim != 2 or t.shape[1] != self.text_dim:
            raise ValueError(f"`texts` must be text embeddings (n, {self.text_dim}). "
                             f"Received: texts with shape {t.shape}")
        if z is None:
            z = self.sample_latent(len(t))
        z = np.asarray(ops.convert_to_numpy(z), "float32")
        if len(z) != len(t):
            raise ValueError(f"`z` must hold one vector per text ({len(t)}). "
                             f"Received: {len(z)} vectors")
        return infer(self.generator, [z, t], batch_size)


@keras.saving.register_keras_serializable("ganlab")
class JointEmbedding(keras.Model):
    """Pretrains a text encoder against an image encoder (Reed et al. 2016a).

    `train_step` takes `(images, word_ids, classes)` and descends
    `ganlab.losses.symmetric_joint_embedding_loss` of theta(images) and
    phi(word_ids): each image must score the texts of its class above the
    others of the batch, and each text the images of its class. Afterwards
    phi (`text_encoder`) is frozen and feeds GAN-CLS.

    Args:
        image_encoder: images -> (batch, d).
        text_encoder: word ids -> (batch, d).
        temperature: of the softmax over scores.
    """

    def __init__(self, image_encoder, text_encoder, temperature=0.1, **kwargs):
        super().__init__(**kwargs)
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.temperature = float(temperature)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs, training=False):
        images, words = inputs
        return (self.image_encoder(images, training=training),
                self.text_encoder(words, training=training))

    def train_step(self, data):
        images, words, classes = data
        variables = self.image_encoder.trainable_variables + self.text_encoder.trainable_variables
        with tf.GradientTape() as tape:
            v, t = self([images, words], training=True)
            loss = losses.symmetric_joint_embedding_loss(v, t, classes, self.temperature)
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def get_config(self):
        config = super().get_config()
        config.update(image_encoder=keras.saving.serialize_keras_object(self.image_encoder),
                      text_encoder=keras.saving.serialize_keras_object(self.text_encoder),
                      temperature=self.temperature)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("image_encoder", "text_encoder"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
