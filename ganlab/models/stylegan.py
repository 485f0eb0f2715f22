"""StyleGAN (Karras 2019): a mapping network, AdaIN styles, noise, style mixing, truncation."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, _replica_slot, mean_probability
from ganlab.nets.inference import infer
from ganlab.nets.stylegan import draw_noise, noise_shapes, synthesize


def style_generator(mapping, synthesis, name="generator"):
    """G = g(f(z), noise): the mapping and synthesis networks as one functional model.

    Every style is the same w (no mixing, no truncation); `StyleGAN`
    trains mapping and synthesis through this model's variables.

    Returns:
        A `keras.Model` with inputs [z, noise_0, ..., noise_{num_ws-1}].
    """
    z = keras.Input(mapping.input_shape[1:], name="z")
    noises = [keras.Input(shape, name=f"noise{i}") for i, shape in
              enumerate(noise_shapes(synthesis))]
    ws = keras.layers.RepeatVector(len(noises), name="broadcast_w")(mapping(z))
    return keras.Model([z, *noises], synthesis([ws, *noises]), name=name)


@keras.saving.register_keras_serializable("ganlab")
class StyleGAN(GANBase):
    """StyleGAN (Karras 2019) trained at a fixed resolution with the non-saturating loss and R1.

    G is the mapping network f (z -> w, `ganlab.nets.mapping_network`)
    followed by the synthesis network g (learned 4x4 constant, per-layer
    styles through AdaIN, per-pixel noise; `ganlab.nets.synthesis_network`).
    Each `train_step`:

    1. D step: fakes from fresh z (with style mixing) and fresh noise; D
       descends the non-saturating GAN's discriminator loss plus R1
       (Mescheder 2018, Eq. 9; Karras 2019, Appendix C):

           L_D = E_x[softplus(-D(x))] + E_z[softplus(D(G(z)))]
                 + gamma / 2 E_x[||grad_x D(x)||^2]

       (G untouched).
    2. G step: fresh z and noise; G (f and g) descends
       L_G = E_z[softplus(-D(G(z)))] (Goodfellow 2014, Section 3), D untouched.
    3. The tracked average w_avg <- beta w_avg + (1 - beta) mean_batch(f(z))
       (beta = `w_avg_beta`, 0.995 in the reference code), the centre of the
       truncation trick.

    Style mixing regularisation (Karras 2019, Section 3.1): with
    probability `mixing_prob` (0.9 in the paper) a sample's styles come from
    two latents z1, z2: layers before a crossover drawn uniformly from
    1 .. num_ws - 1 take w1 = f(z1), the rest w2 = f(z2). Drawn per sample.

    Truncation (Karras 2019, Section 3.2, Eq. 3): w' = w_avg + psi (w - w_avg)
    in `generate`.

    Fixed resolution, not progressive growing: the network is trained at
    its final size from the first step, as StyleGAN2 (Karras 2020) does. So
    there is one graph, one `tf.function` for `fit`'s whole run and one
    strategy-safe step, none of which a growing schedule's phase changes
    would have to rebuild; and the lab's CPU budget (minutes at 32x32) has no
    room for four phases.

    Distribution: each replica draws z, the crossover and the noise of the
    whole global batch from the shared seed and keeps its slice; the
    minibatch stddev of D uses groups of consecutive samples, so N replicas
    whose shares are multiples of the group see the groups one device
    would; w_avg moves by the mean over all replicas. So 2 replicas train
    what 1 device would (tests/models/mirrored_stylegan_check.py).

    Args:
        mapping: the mapping network, (batch, latent_dim) -> (batch, w_dim).
        synthesis: the synthesis network, [ws, noise...] -> images.
        discriminator: images -> logits.
        w_avg_beta: momentum of the tracked average w, in [0, 1).
        **kwargs: `GANBase`'s (latent_distribution, seed, ...).

    Compile options (`compile(g_optimizer, d_optimizer, **options)`):
        r1_gamma: gamma of R1 (default 1.0; Karras 2019 used 10 at 1024^2).
        mixing_prob: probability of style mixing per sample (default 0.9).

    Trackers: d_loss (with R1), g_loss, r1 (unweighted), d_real, d_fake.

    Example:
        >>> from ganlab.nets import mapping_network, synthesis_network, style_discriminator
        >>> gan = StyleGAN(mapping_network(8, 8, 2), synthesis_network(8, 1, 8, 8),
        ...                style_discriminator(8, 1, 8), seed=0)
        >>> gan.compile(keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
        ...             keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99), r1_gamma=1.0)
    """

    def __init__(self, mapping, synthesis, discriminator, w_avg_beta=0.995, **kwargs):
        if not 0.0 <= w_avg_beta < 1.0:
            raise ValueError(f"w_avg_beta must be in [0, 1). Received: w_avg_beta={w_avg_beta!r}")
        super().__init__(style_generator(mapping, synthesis), discriminator, **kwargs)
        self.mapping = mapping
        self.synthesis = synthesis
        self.w_avg_beta = float(w_avg_beta)
        self.num_ws = int(synthesis.inputs[0].shape[1])
        self.w_dim = int(mapping.output_shape[-1])
        self.w_avg = self.add_weight(name="w_avg", shape=(self.w_dim,), initializer="zeros",
                                     trainable=False, aggregation="only_first_replica")
        self.add_trackers("d_loss", "g_loss", "r1", "d_real", "d_fake")
        self.configure()

    def configure(self, r1_gamma=1.0, mixing_prob=0.9):
        if isinstance(r1_gamma, bool) or not isinstance(r1_gamma, (int, float)) or r1_gamma < 0:
            raise ValueError(f"r1_gamma must be a number >= 0. Received: r1_gamma={r1_gamma!r}")
        if isinstance(mixing_prob, bool) or not isinstance(mixing_prob, (int, float)) or not (
                0.0 <= mixing_prob <= 1.0):
            raise ValueError(f"mixing_prob must be a number in [0, 1]. "
                             f"Received: mixing_prob={mixing_prob!r}")
        self.r1_gamma = float(r1_gamma)
        self.mixing_prob = float(mixing_prob)

    # ------------------------------------------------------------- noise
    def _global(self, draw, batch_size, shape):
        """draw(shape) for the whole global batch, this replica's slice (see `GANBase`)."""
        replica, replicas = _replica_slot()
        values = draw((batch_size * replicas, *shape))
        if replicas == 1:
            return values
        return values[replica * batch_size : (replica + 1) * batch_size]

    def draw_noise_inputs(self, batch_size):
        """One N(0, 1) noise image per synthesis layer, replica-consistent."""
        return [self._global(lambda s: keras.random.normal(s, seed=self.seed_generator),
                             batch_size, shape) for shape in noise_shapes(self.synthesis)]

    def mixed_styles(self, batch_size, training=True):
        """Per-layer styles with style mixing: (ws (batch, num_ws, w_dim), w1 (batch, w_dim)).

        Layer i takes w1 = f(z1) if i < crossover, else w2 = f(z2); the
        crossover is uniform in 1 .. num_ws - 1 with probability
        `mixing_prob`, num_ws (no mixing) otherwise.
        """
        w1 = self.mapping(self.sample_latent(batch_size), training=training)
        if self.mixing_prob == 0.0 or self.num_ws < 2:
            return ops.repeat(w1[:, None], self.num_ws, axis=1), w1
        w2 = self.mapping(self.sample_latent(batch_size), training=training)
        uniform = lambda s: keras.random.uniform(s, seed=self.seed_generator)  # noqa: E731
        crossover = ops.floor(1.0 + self._global(uniform, batch_size, ()) * (self.num_ws - 1))
        mix = self._global(uniform, batch_size, ()) < self.mixing_prob
        crossover = ops.where(mix, crossover, float(self.num_ws))
        first = ops.arange(self.num_ws, dtype="float32")[None, :] < crossover[:, None]
        ws = ops.where(first[:, :, None], w1[:, None], w2[:, None])
        return ws, w1

    # -------------------------------------------------------------- steps
    def discriminator_step(self, real):
        """One D update on `real` and fresh fakes; returns (loss, r1, real_logits, fake_logits)."""
        n = ops.shape(real)[0]
        ws, _ = self.mixed_styles(n)
        fake = self.synthesis([ws, *self.draw_noise_inputs(n)], training=True)
        with tf.GradientTape() as tape:
            r1, real_logits = losses.r1_penalty(self.discriminator, real)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits)
            if self.r1_gamma:
                d_loss = d_loss + 0.5 * self.r1_gamma * r1
        self.apply_step(tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables)
        return d_loss, r1, real_logits, fake_logits

    def generator_step(self, batch_size):
        """One update of f and g from fresh z and noise; returns (loss, w1)."""
        noise = self.draw_noise_inputs(batch_size)
        with tf.GradientTape() as tape:
            ws, w1 = self.mixed_styles(batch_size)
            fake = self.synthesis([ws, *noise], training=True)
            g_loss = losses.non_saturating_generator_loss(
                self.discriminator(fake, training=True))
        self.apply_step(tape, g_loss, self.g_optimizer, self.generator.trainable_variables)
        return g_loss, w1

    def track_w_avg(self, w):
        """w_avg <- beta w_avg + (1 - beta) mean(w), the mean over the global batch."""
        mean = ops.mean(ops.cast(w, "float32"), axis=0)
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:  # equal shares: mean of means
            mean = ctx.all_reduce(tf.distribute.ReduceOp.MEAN, mean)
        self.w_avg.assign(self.w_avg_beta * self.w_avg + (1.0 - self.w_avg_beta) * mean)

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        d_loss, r1, real_logits, fake_logits = self.discriminator_step(real)
        g_loss, w1 = self.generator_step(ops.shape(real)[0])
        self.track_w_avg(w1)
        self.track(d_loss=d_loss, g_loss=g_loss, r1=r1, d_real=mean_probability(real_logits),
                   d_fake=mean_probability(fake_logits))
        return self.results()

    # ---------------------------------------------------------- inference
    def truncate(self, w, psi=1.0):
        """The truncation trick (Karras 2019, Eq. 3): w_avg + psi (w - w_avg), numpy."""
        w_avg = np.asarray(self.w_avg)
        return w_avg + float(psi) * (np.asarray(w, "float32") - w_avg)

    def generate(self, n=None, z=None, psi=1.0, noise_seed=0, batch_size=500):
        """Samples g(w_avg + psi (f(z) - w_avg), noise) as numpy (inference mode).

        Args:
            n: number of samples (z drawn from the prior), or
            z: latent vectors to map.
            psi: truncation, 1 for none.
            noise_seed: seed of the numpy noise images.
            batch_size: samples per call.

        Raises:
            ValueError: if neither or both of n and z are given, or n < 1.
        """
        if (n is None) == (z is None):
            raise ValueError(f"generate needs exactly one of n and z. Received: n={n}, z={z}")
        if z is None:
            if n < 1:
                raise ValueError(f"n must be >= 1. Received: n={n}")
            z = self.sample_latent(n)
        w = self.truncate(infer(self.mapping, z, batch_size), psi)
        return synthesize(self.synthesis, w, draw_noise(self.synthesis, len(w), noise_seed),
                          batch_size)

    def call(self, z, training=False):
        """G(z) with noise from the model's seed generator."""
        n = ops.shape(z)[0]
        return self.generator([z, *self.draw_noise_inputs(n)], training=training)

    # --------------------------------------------------------- serialising
    def get_config(self):
        config = {k: v for k, v in super().get_config().items() if k != "generator"}
        config.update(mapping=keras.saving.serialize_keras_object(self.mapping),
                      synthesis=keras.saving.serialize_keras_object(self.synthesis),
                      w_avg_beta=self.w_avg_beta)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("mapping", "synthesis", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        config.pop("latent_dim", None)
        return cls(**config)
