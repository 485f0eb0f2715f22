"""The references ganlab's train steps are measured against (benchmarks/run.py).

* `KerasIOGAN` and `keras_io_nets`: the GAN of keras-io's "GAN overriding
  `Model.train_step`" (fchollet, examples/generative/dcgan_overriding_train_step.py,
  last modified 2020-04-29), re-typed here from its description: MNIST-sized
  28x28x1 nets (D: two stride-2 3x3 convolutions of 64 and 128 filters with
  leaky ReLU 0.2, global max pooling, one logit, 74,625 parameters; G: a
  dense layer to 7x7x128, two stride-2 4x4 transposed convolutions of 128
  filters, a 7x7 convolution to one sigmoid channel, 1,339,905 parameters;
  latent 128), Adam(3e-4) for both, binary cross-entropy on logits. Its step:
  one D update on the concatenation of a fake and a real batch with noisy
  labels (+0.05 U[0, 1)), then one G update on a fresh fake batch.
* `bare_loop`: the practical limit of a hand-written loop for the toy GANs of
  labs 01-05: one `tf.function` per step doing the same updates as ganlab's
  GAN, WGAN (n_critic critic updates, each followed by clipping) or WGAN-GP
  (n_critic critic updates with the gradient penalty), on copies of the same
  nets and optimizers, with nothing else: no metrics, no callbacks, no
  strategy, called from a Python loop.
"""

import keras
import tensorflow as tf
from keras import layers


def keras_io_nets(latent_dim=128):
    """(generator, discriminator) of the keras-io DCGAN example, 28x28x1."""
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 3, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Conv2D(128, 3, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ], name="discriminator")
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 128),
        layers.LeakyReLU(0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Conv2D(1, 7, padding="same", activation="sigmoid"),
    ], name="generator")
    return generator, discriminator


class KerasIOGAN(keras.Model):
    """keras-io's `train_step` GAN (see the module docstring), for timing only."""

    def __init__(self, generator, discriminator, latent_dim=128):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def train_step(self, real):
        n = tf.shape(real)[0]
        fake = self.generator(tf.random.normal((n, self.latent_dim)))
        # keras-io's step assumes float32 throughout; under a mixed policy G's
        # output is in the compute dtype, so the real half is cast to it.
        images = tf.concat([fake, tf.cast(real, fake.dtype)], axis=0)
        labels = tf.concat([tf.ones((n, 1)), tf.zeros((n, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            d_loss = self.bce(labels, self.discriminator(images))
        d_vars = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars, strict=True))
        with tf.GradientTape() as tape:
            scores = self.discriminator(self.generator(tf.random.normal((n, self.latent_dim))))
            g_loss = self.bce(tf.zeros((n, 1)), scores)
        g_vars = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars, strict=True))
        return {"d_loss": d_loss, "g_loss": g_loss}


def _copy_optimizer(optimizer, variables):
    copy = optimizer.__class__.from_config(optimizer.get_config())
    copy.build(variables)
    return copy


def _bce(logits, target):
    labels = tf.fill(tf.shape(logits), target)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def bare_loop(model, jit_compile=False):
    """A bare `tf.function` step doing what `model` (GAN, WGAN or WGAN-GP) does per step.

    Args:
        model: a compiled ganlab GAN, WGAN or WGANGP of the toy labs (its nets
            and optimizers are copied; the model itself is not touched).
        jit_compile: compile the step with XLA.

    Returns:
        A `tf.function` `step(batch)`, the batch as `fit` receives it (n_critic
        minibatches stacked along the first axis); its `generator` and
        `discriminator` attributes are the copies it trains.
    """
    kind = type(model).__name__
    g = keras.models.clone_model(model.generator)
    d = keras.models.clone_model(model.discriminator)
    g_opt = _copy_optimizer(model.g_optimizer, g.trainable_variables)
    d_opt = _copy_optimizer(model.d_optimizer, d.trainable_variables)
    k = int(model.d_steps)
    latent = int(model.latent_dim)
    uniform = model.latent_distribution == "uniform"
    clip = float(getattr(model, "clip_value", 0.0) or 0.0)
    gp = float(getattr(model, "gp_weight", 0.0) or 0.0)

    def noise(n):
        if uniform:
            return tf.random.uniform((n, latent), -1.0, 1.0)
        return tf.random.normal((n, latent))

    def critic_update(x):
        n = tf.shape(x)[0]
        with tf.GradientTape() as tape:
            fake = g(noise(n), training=True)
            real_out, fake_out = d(x, training=True), d(fake, training=True)
            if kind == "GAN":
                loss = _bce(real_out, 1.0) + _bce(fake_out, 0.0)
            else:
                loss = tf.reduce_mean(fake_out) - tf.reduce_mean(real_out)
            if gp:
                eps = tf.random.uniform((n, 1))
                mix = eps * x + (1.0 - eps) * fake
                with tf.GradientTape() as inner:
                    inner.watch(mix)
                    score = d(mix, training=True)
                slopes = tf.norm(inner.gradient(score, mix), axis=-1)
                loss += gp * tf.reduce_mean((slopes - 1.0) ** 2)
        grads = tape.gradient(loss, d.trainable_variables)
        d_opt.apply_gradients(zip(grads, d.trainable_variables, strict=True))
        if clip:
            for v in d.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))

    def step(batch):
        n = tf.shape(batch)[0] // k
        for i in range(k):
            critic_update(batch[i * n:(i + 1) * n])
        with tf.GradientTape() as tape:
            out = d(g(noise(n), training=True), training=True)
            loss = _bce(out, 1.0) if kind == "GAN" else -tf.reduce_mean(out)
        g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables),
                                  g.trainable_variables, strict=True))
        return loss

    fn = tf.function(step, jit_compile=jit_compile)
    fn.generator, fn.discriminator = g, d  # the copies it trains, for tests
    return fn
