"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of GANs, one per level."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, _replica_slot, mean_probability, uses_ema
from ganlab.models.gan import GAN, random_translation
from ganlab.nets.inference import infer
from ganlab.nets.pyramid import laplacian_pyramid, upsample


def _clone_optimizer(optimizer):
    """A fresh optimizer of the same class and configuration (its own slots)."""
    return type(optimizer).from_config(optimizer.get_config())


@keras.saving.register_keras_serializable("ganlab")
class LAPGAN(GANBase):
    """LAPGAN (Denton et al. 2015): a coarse GAN and one conditional GAN per finer level.

    The image I = I_K is decomposed by `ganlab.nets.pyramid.laplacian_pyramid`
    into the coarsest image I_0 and residuals h_k = I_k - u(I_{k-1})
    (Eq. 3). Level 0 is a GAN on I_0; level k >= 1 is a conditional GAN on
    h_k given l_k = u(I_{k-1}): G_k(z_k, l_k) draws a residual and D_k(h, l_k)
    tells the real residual from G_k's. Sampling runs coarse to fine
    (Eq. 4): I~_0 = G_0(z_0), then I~_k = u(I~_{k-1}) + G_k(z_k, u(I~_{k-1})).

    The levels are trained *independently*, as in the paper (Sec. 3.2 and
    Fig. 1): every level's conditioning image is the *real* coarser image
    of the training pyramid, never a generated one, and each level's losses
    touch only its own two networks. A `train_step` takes a batch of images
    and, for every level in turn, does one D-step (minimax loss, real = 1,
    fake = 0) and one G-step (non-saturating loss).

    Losses are scaled to the global batch (`apply_step`); noise is drawn for
    the whole global batch from the model's seed, each replica keeping its
    slice, so N replicas equal one device (level 0's DCGAN nets synchronise
    their batchnorm; the residual nets have none).

    Args:
        generator: level 0's G, z -> I_0 (e.g. `ganlab.nets.dcgan_generator`
            at the coarsest size).
        discriminator: level 0's D, I_0 -> logits.
        residual_generators: G_1 .. G_K, each `[z_k, l_k]` -> h_k (e.g.
            `ganlab.nets.lapgan.residual_generator`), finest last.
        residual_discriminators: D_1 .. D_K, each `[h, l_k]` -> logits.
        **kwargs: `latent_dim`, `latent_distribution`, `seed` (see `GANBase`).

    Compile: `compile(g_optimizer, d_optimizer, translation=0)`: level 0 uses
    the two optimizers given, every finer level a fresh copy of each (same
    class and configuration, its own slots: the levels are separate GANs).
    `translation` shifts every image D sees by up to that many pixels
    (DiffAugment, Zhao 2020, as lab 03's `GAN`), the same shift for a
    residual and its condition. An optimizer with `use_ema` averages its
    net's weights; G_0's batchnorm statistics are then recomputed
    (`GAN.recalibrate_batchnorm`).

    Trackers: d_loss_k, g_loss_k, d_real_k, d_fake_k for every level k.

    Raises:
        ValueError: when the numbers of residual generators and
            discriminators differ, or a level's size is not twice the
            previous one's.

    Example:
        >>> from ganlab.nets import dcgan_generator, dcgan_discriminator
        >>> from ganlab.nets.lapgan import residual_generator, residual_discriminator
        >>> gan = LAPGAN(dcgan_generator(8, 8, 1, 8), dcgan_discriminator(8, 1, 8),
        ...              [residual_generator(8, 16, 1, 8)], [residual_discriminator(16, 1, 8)])
        >>> gan.compile(keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4))
        >>> [x.shape for x in gan.chain(2)[0]]
        [(2, 8, 8, 1), (2, 16, 16, 1)]
    """

    def __init__(self, generator, discriminator, residual_generators=(),
                 residual_discriminators=(), **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        residual_generators = list(residual_generators)
        residual_discriminators = list(residual_discriminators)
        if len(residual_generators) != len(residual_discriminators):
            raise ValueError(
                "LAPGAN needs one residual discriminator per residual generator. Received: "
                f"{len(residual_generators)} generators, {len(residual_discriminators)} "
                "discriminators"
            )
        side = generator.output_shape[1]
        for k, g in enumerate(residual_generators, start=1):
            want = side * 2 ** k
            if g.output_shape[1] != want:
                raise ValueError(
                    f"residual_generators[{k - 1}] must make {want}x{want} residuals (twice "
                    f"level {k - 1}'s side). Received: output shape {g.output_shape}"
                )
        self.residual_generators = residual_generators
        self.residual_discriminators = residual_discriminators
        self.residual_latent_dims = [int(g.input_shape[0][-1]) for g in residual_generators]
        for k in range(self.levels):
            self.add_trackers(f"d_loss_{k}", f"g_loss_{k}", f"d_real_{k}", f"d_fake_{k}")
        self._level_optimizers = []
        self.configure()
        self.built = True

    def configure(self, translation=0):
        if isinstance(translation, bool) or not isinstance(translation, int) or translation < 0:
            raise ValueError("translation must be an integer >= 0 (pixels; 0 is off). "
                             f"Received: translation={translation!r}")
        self.translation = translation

    def augment(self, images):
        """What D is shown: shifted by up to `translation` pixels (DiffAugment)."""
        if not self.translation:
            return images
        return random_translation(images, self.translation, self.seed_generator)

    def fit(self, *args, **kwargs):
        """`GANBase.fit` (weight averages applied), then G_0's batchnorm recalibrated if averaged."""
        history = super().fit(*args, **kwargs)
        if uses_ema(self.g_optimizer):
            GAN.recalibrate_batchnorm(self)
        return history

    @property
    def levels(self):
        """The number of levels, 1 + K (level 0 and the residual levels)."""
        return 1 + len(self.residual_generators)

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        self._level_optimizers = [(_clone_optimizer(g_optimizer), _clone_optimizer(d_optimizer))
                                  for _ in self.residual_generators]
        super().compile(g_optimizer, d_optimizer, **kwargs)

    def optimizer_pairs(self):
        pairs = super().optimizer_pairs()
        for (g_opt, d_opt), g, d in zip(self._level_optimizers, self.residual_generators,
                                        self.residual_discriminators, strict=True):
            pairs += [(g_opt, g), (d_opt, d)]
        return pairs

    # ------------------------------------------------------------- noise
    def _noise(self, batch, dim):
        """N(0, I) (or U[-1, 1]) noise (batch, dim): the global batch's draw, this replica's slice."""
        replica, replicas = _replica_slot()
        shape = (batch * replicas, dim)
        if self.latent_distribution == "normal":
            z = keras.random.normal(shape, seed=self.seed_generator)
        else:
            z = keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        return z if replicas == 1 else z[replica * batch : (replica + 1) * batch]

    # ------------------------------------------------------------- steps
    def level_step(self, level, real, condition=None):
        """One D-step and one G-step of one level; the other levels are untouched.

        Args:
            level: 0 (the coarse GAN on I_0) or k >= 1 (the residual GAN).
            real: I_0 for level 0, the real residual h_k otherwise.
            condition: l_k = u(I_{k-1}) for k >= 1.

        Returns:
            (d_loss, g_loss, real_logits, fake_logits).
        """
        real = ops.convert_to_tensor(real)
        if condition is not None:
            condition = ops.convert_to_tensor(condition)
        batch = ops.shape(real)[0]
        if level == 0:
            g, d, g_opt, d_opt = self.generator, self.discriminator, self.g_optimizer, \
                self.d_optimizer
            dim = self.latent_dim

            def gen(z):
                return g(z, training=True)

            def disc(x):
                return d(self.augment(x), training=True)
        else:
            g, d = self.residual_generators[level - 1], self.residual_discriminators[level - 1]
            g_opt, d_opt = self._level_optimizers[level - 1]
            dim = self.residual_latent_dims[level - 1]

            def gen(z):
                return g([z, condition], training=True)

            def disc(x):
                both = self.augment(ops.concatenate([x, condition], axis=-1))
                c = ops.shape(x)[-1]
                return d([both[..., :c], both[..., c:]], training=True)
        fake = gen(self._noise(batch, dim))
        with tf.GradientTape() as tape:
            real_logits, fake_logits = disc(real), disc(fake)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits)
        self.apply_step(tape, d_loss, d_opt, d.trainable_variables)
        z = self._noise(batch, dim)
        with tf.GradientTape() as tape:
            g_logits = disc(gen(z))
            g_loss = losses.non_saturating_generator_loss(g_logits)
        self.apply_step(tape, g_loss, g_opt, g.trainable_variables)
        return d_loss, g_loss, real_logits, fake_logits

    def train_step(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        coarse, residuals = laplacian_pyramid(images, self.levels - 1) if self.levels > 1 \
            else (ops.convert_to_tensor(images), [])
        low = coarse
        for k in range(self.levels):
            if k == 0:
                out = self.level_step(0, coarse)
            else:
                condition = upsample(low)  # l_k = u(I_{k-1}) of the real pyramid
                out = self.level_step(k, residuals[k - 1], condition)
                low = condition + residuals[k - 1]  # I_k
            d_loss, g_loss, real_logits, fake_logits = out
            self.track(**{f"d_loss_{k}": d_loss, f"g_loss_{k}": g_loss,
                          f"d_real_{k}": mean_probability(real_logits),
                          f"d_fake_{k}": mean_probability(fake_logits)})
        return self.results()

    # ---------------------------------------------------------- sampling
    def chain(self, n, seed=None):
        """Sample coarse to fine: ([I~_0, ..., I~_K], [h~_1, ..., h~_K]) as numpy.

        Args:
            n: number of samples.
            seed: numpy seed of the noise; None draws from the model's seed.
        """
        nets = [self.generator] + self.residual_generators
        dims = [self.latent_dim] + self.residual_latent_dims
        if seed is None:
            zs = [np.asarray(self._noise(n, d)) for d in dims]
        else:
            rng = np.random.default_rng(seed)
            zs = [rng.standard_normal((n, d)).astype("float32") for d in dims]
        return sample_chain(nets, zs)

    def generate(self, n=None, z=None, batch_size=1024):
        """The final images I~_K of `n` chains (z: level 0's noise, optional)."""
        if n is None and z is None:
            raise ValueError("generate needs n or z. Received: n=None, z=None")
        n = len(z) if z is not None else n
        if n < 1:
            raise ValueError(f"n must be >= 1. Received: n={n}")
        images, _ = self.chain(n)
        return images[-1]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def get_config(self):
        config = super().get_config()
        config["residual_generators"] = [keras.saving.serialize_keras_object(g)
                                         for g in self.residual_generators]
        config["residual_discriminators"] = [keras.saving.serialize_keras_object(d)
                                             for d in self.residual_discriminators]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("residual_generators", "residual_discriminators"):
            config[key] = [keras.saving.deserialize_keras_object(c) for c in config[key]]
        return super().from_config(config)


def sample_chain(generators, zs, batch_size=1024):
    """LAPGAN's coarse-to-fine sampling (Eq. 4) with bare level generators.

    Args:
        generators: [G_0, G_1, ..., G_K]: G_0 maps z -> I~_0, G_k maps
            `[z_k, u(I~_{k-1})]` -> h~_k (e.g. loaded `.keras` files).
        zs: one noise array per level, each `(n, latent_dim_k)`.

    Returns:
        (images, residuals): [I~_0, ..., I~_K] and [h~_1, ..., h~_K], numpy.

    Raises:
        ValueError: when the numbers of generators and noise arrays differ.
    """
    if len(generators) != len(zs):
        raise ValueError(f"sample_chain needs one noise array per level ({len(generators)}). "
                         f"Received: {len(zs)} noise arrays")
    image = infer(generators[0], np.asarray(zs[0], "float32"), batch_size)
    images, residuals = [image], []
    for g, z in zip(generators[1:], zs[1:], strict=True):
        low = np.asarray(upsample(image))
        h = infer(g, [np.asarray(z, "float32"), low], batch_size)
        image = low + h
        images.append(image)
        residuals.append(h)
    return images, residuals
