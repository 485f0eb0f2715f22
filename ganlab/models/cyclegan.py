"""CycleGAN (Zhu, Park, Isola & Efros, 2017): unpaired translation with cycle consistency."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, frozen_call, mean_probability
from ganlab.models.pool import ImagePool
from ganlab.nets.inference import infer

ADVERSARIAL_LOSSES = ("least_squares", "log")


class _Networks:
    """Several nets seen as one by the code that reads `trainable_variables` (EMA, precision)."""

    def __init__(self, *nets):
        self.nets = nets

    @property
    def trainable_variables(self):
        return [v for net in self.nets for v in net.trainable_variables]


def _image_shape(net, which):
    shape = net.input_shape if which == "input" else net.output_shape
    if isinstance(shape, list) or len(shape) != 4:
        raise ValueError(
            f"CycleGAN nets take and return one batch of images (batch, H, W, C). Received: "
            f"a net ({net.name}) with {which} shape {shape}"
        )
    return tuple(shape[1:])


@keras.saving.register_keras_serializable("ganlab")
class CycleGAN(GANBase):
    """CycleGAN: two generators G: X -> Y and F: Y -> X, two discriminators D_Y and D_X.

    The full objective (Zhu 2017, Eq. 3, plus the identity term of
    Section 5.2, "Photo generation from paintings"):

        L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X)
                            + lambda_cyc * L_cyc(G, F) + lambda_id * L_identity(G, F)
        L_cyc(G, F)      = E_x ||F(G(x)) - x||_1 + E_y ||G(F(y)) - y||_1       (Eq. 2)
        L_identity(G, F) = E_y ||G(y) - y||_1 + E_x ||F(x) - x||_1

    The identity term asks each generator to leave alone an image that is
    already of its *output* domain: G, which makes Y, is fed y; F is fed x.

    L_GAN is least squares by default (Section 4, "Training details", after
    Mao 2017): G minimises E[(D_Y(G(x)) - 1)^2] and D_Y minimises
    E[(D_Y(y) - 1)^2] + E[D_Y(G(x))^2], divided by 2 "to slow down the rate
    at which D learns relative to G". `adversarial_loss="log"` gives the
    slide's log loss instead (the non-saturating G loss, half the minimax D loss).

    Each `train_step` takes a batch `(x, y)` of *unpaired* images and
    follows the reference code (junyanz/pytorch-CycleGAN-and-pix2pix,
    `CycleGANModel.optimize_parameters`):

    1. G(x), F(G(x)), F(y), G(F(y)) once, in training mode;
    2. G-step: with D_X and D_Y frozen, G and F together descend
       L_GAN(G) + L_GAN(F) + lambda_cyc * L_cyc + lambda_id * L_identity,
       with one optimizer (`g_optimizer`) over both generators' weights;
    3. D-step: D_Y judges y against G(x) drawn through its image pool, D_X
       x against F(y) through its own, each loss halved; one optimizer
       (`d_optimizer`) over both discriminators' weights.

    Each pool holds the 50 most recent fakes of its direction (`ImagePool`).
    Losses are scaled to the global batch (`GANBase.apply_step`) and the
    pools answer for the global batch, so a step on N replicas equals a
    step on one device.

    Args:
        generator: G, net X-images -> Y-images (e.g.
            `ganlab.nets.resnet_generator`).
        discriminator: D_Y, net Y-images -> logits of any shape (a PatchGAN map).
        inverse_generator: F, net Y-images -> X-images.
        inverse_discriminator: D_X, net X-images -> logits.
        pool_size: images in each pool (50, the paper's; 0 turns them off).
        seed: integer seed of the model's and the pools' random draws.

    Compile options (`compile(g_optimizer=..., d_optimizer=..., **options)`,
    the optimizers by name; the paper uses Adam(2e-4, beta_1=0.5) for both,
    with `ganlab.models.schedules.ConstantThenLinearDecay`):
        lambda_cyc: weight of the cycle loss (10, the paper's).
        lambda_identity: weight of the identity loss *relative to*
            lambda_cyc (0.5, the reference's `lambda_identity`; its weight
            is then 0.5 * lambda_cyc); 0 turns it off.
        adversarial_loss: "least_squares" (default) or "log".

    Trackers, the eight losses (each unweighted) and the totals: g_gan and
    f_gan (the generators' adversarial losses), dy_loss and dx_loss (the
    halved D losses), cycle_x (||F(G(x)) - x||_1), cycle_y, identity_x
    (||F(x) - x||_1) and identity_y (||G(y) - y||_1); g_loss (the
    generators' weighted total), d_y_real / d_y_fake (D_Y's mean output on
    y and on the pooled fakes), and lr (the generators' current learning rate).

    Raises:
        ValueError: if the nets do not fit together (G and F must map
            between the two image shapes, each D take its domain's images),
            or (in `compile`) for a negative weight or an unknown loss.

    Example:
        >>> from ganlab.nets import patchgan_discriminator, resnet_generator
        >>> nets = [resnet_generator(16, ngf=4, n_blocks=1), patchgan_discriminator(16, 3, 1, "instance", 4)]
        >>> model = CycleGAN(nets[0], nets[1], resnet_generator(16, ngf=4, n_blocks=1),
        ...                  patchgan_discriminator(16, 3, 1, "instance", 4), seed=0)
        >>> model.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...               d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        >>> model.translate(np.zeros((2, 16, 16, 3), "float32")).shape
        (2, 16, 16, 3)
    """

    def __init__(self, generator, discriminator, inverse_generator, inverse_discriminator,
                 pool_size=50, seed=None, **kwargs):
        for key in ("latent_dim", "latent_distribution"):
            kwargs.pop(key, None)  # an image-to-image model has no latent prior
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        x_shape, y_shape = _image_shape(generator, "input"), _image_shape(generator, "output")
        shapes = {
            "inverse_generator input": (_image_shape(inverse_generator, "input"), y_shape),
            "inverse_generator output": (_image_shape(inverse_generator, "output"), x_shape),
            "discriminator input": (_image_shape(discriminator, "input"), y_shape),
            "inverse_discriminator input": (_image_shape(inverse_discriminator, "input"), x_shape),
        }
        for what, (got, expected) in shapes.items():
            if got != expected:
                raise ValueError(
                    f"CycleGAN's {what} must be {expected} (G maps {x_shape} to {y_shape}). "
                    f"Received: {got}"
                )
        if x_shape != y_shape:
            # The identity term feeds y to G and x to F, which needs one image shape.
            raise ValueError(
                "CycleGAN's two domains must have one image shape (the identity loss "
                f"feeds y to G). Received: X {x_shape}, Y {y_shape}"
            )
        self.inverse_generator = inverse_generator
        self.inverse_discriminator = inverse_discriminator
        self.pool_size = pool_size
        base = None if seed is None else int(seed)
        self.pool_y = ImagePool(pool_size, y_shape, seed=None if base is None else base + 1,
                                name="pool_y")
        self.pool_x = ImagePool(pool_size, x_shape, seed=None if base is None else base + 2,
                                name="pool_x")
        self.add_trackers("g_loss", "g_gan", "f_gan", "cycle_x", "cycle_y", "identity_x",
                          "identity_y", "dy_loss", "dx_loss", "d_y_real", "d_y_fake", "lr")
        self.configure()

    def configure(self, lambda_cyc=10.0, lambda_identity=0.5, adversarial_loss="least_squares"):
        for arg, value in (("lambda_cyc", lambda_cyc), ("lambda_identity", lambda_identity)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{arg} must be a number >= 0. Received: {arg}={value!r}")
        if adversarial_loss not in ADVERSARIAL_LOSSES:
            raise ValueError(
                f"adversarial_loss must be one of {ADVERSARIAL_LOSSES}. "
                f"Received: adversarial_loss={adversarial_loss!r}"
            )
        self.lambda_cyc = float(lambda_cyc)
        self.lambda_identity = float(lambda_identity)
        self.adversarial_loss = adversarial_loss

    def compile(self, *, g_optimizer, d_optimizer, **options):
        """Configure training; the optimizers by name.

        Args:
            g_optimizer: one optimizer over G's and F's weights (the reference's
                `optimizer_G`, over `itertools.chain` of both).
            d_optimizer: one optimizer over D_Y's and D_X's weights.
            **options: `jit_compile`, `steps_per_execution` and the options of `configure`.
        """
        super().compile(g_optimizer, d_optimizer, **options)  # builds each for its two nets

    @property
    def _generators(self):
        return _Networks(self.generator, self.inverse_generator)

    @property
    def _discriminators(self):
        return _Networks(self.discriminator, self.inverse_discriminator)

    def optimizer_pairs(self):
        return [(self.g_optimizer, self._generators), (self.d_optimizer, self._discriminators)]

    # ----------------------------------------------------------------- losses
    def _g_adversarial(self, outputs):
        if self.adversarial_loss == "log":
            return losses.non_saturating_generator_loss(outputs)
        # The reference's MSELoss(D(G(x)), 1): twice LSGAN's 1/2 E[(D - 1)^2].
        return 2.0 * losses.least_squares_generator_loss(outputs)

    def _d_adversarial(self, real, fake):
        if self.adversarial_loss == "log":
            return 0.5 * losses.minimax_discriminator_loss(real, fake)
        # 1/2 (E[(D(y) - 1)^2] + E[D(G(x))^2]): the halved D loss.
        return losses.least_squares_discriminator_loss(real, fake)

    def step(self, x, y):
        """One CycleGAN iteration on unpaired batches: the G-step (G and F), then the D-step.

        Returns:
            Dict of the losses (unweighted) and D_Y's mean outputs.
        """
        x = ops.convert_to_tensor(x)
        y = ops.convert_to_tensor(y)
        g, f = self.generator, self.inverse_generator
        with tf.GradientTape() as tape:
            fake_y = g(x, training=True)
            fake_x = f(y, training=True)
            logs = {
                "g_gan": self._g_adversarial(frozen_call(self.discriminator, fake_y)),
                "f_gan": self._g_adversarial(frozen_call(self.inverse_discriminator, fake_x)),
                "cycle_x": losses.l1_reconstruction_loss(x, f(fake_y, training=True)),
                "cycle_y": losses.l1_reconstruction_loss(y, g(fake_x, training=True)),
            }
            total = logs["g_gan"] + logs["f_gan"] + self.lambda_cyc * (
                logs["cycle_x"] + logs["cycle_y"])
            if self.lambda_identity > 0:
                logs["identity_y"] = losses.l1_reconstruction_loss(y, g(y, training=True))
                logs["identity_x"] = losses.l1_reconstruction_loss(x, f(x, training=True))
                total += self.lambda_identity * self.lambda_cyc * (
                    logs["identity_x"] + logs["identity_y"])
            logs["g_loss"] = total
        logs["lr"] = ops.cast(self.g_optimizer.learning_rate, "float32")
        self.apply_step(tape, total, self.g_optimizer, self._generators.trainable_variables)
        pooled_y = self.pool_y.query(fake_y)
        pooled_x = self.pool_x.query(fake_x)
        with tf.GradientTape() as tape:
            real_y_out = self.discriminator(y, training=True)
            fake_y_out = self.discriminator(pooled_y, training=True)
            logs["dy_loss"] = self._d_adversarial(real_y_out, fake_y_out)
            logs["dx_loss"] = self._d_adversarial(
                self.inverse_discriminator(x, training=True),
                self.inverse_discriminator(pooled_x, training=True))
            d_total = logs["dy_loss"] + logs["dx_loss"]
        self.apply_step(tape, d_total, self.d_optimizer, self._discriminators.trainable_variables)
        if self.adversarial_loss == "log":
            logs["d_y_real"] = mean_probability(real_y_out)
            logs["d_y_fake"] = mean_probability(fake_y_out)
        else:
            logs["d_y_real"] = ops.mean(ops.cast(real_y_out, "float32"))
            logs["d_y_fake"] = ops.mean(ops.cast(fake_y_out, "float32"))
        return logs

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "CycleGAN trains on (x, y) batches of the two domains. Received: a batch of "
                f"{type(data).__name__}"
            )
        self.track(**self.step(data[0], data[1]))
        return {name: value for name, value in self.results().items()
                if self.trackers[name] in self.metrics}

    @property
    def metrics(self):
        names = [n for n in self.trackers
                 if self.lambda_identity > 0 or not n.startswith("identity")]
        return [self.trackers[n] for n in names]

    # ------------------------------------------------------------- sampling
    def call(self, x, training=False):
        """G(x)."""
        return self.generator(x, training=training)

    def translate(self, images, inverse=False, batch_size=64):
        """G(x) (or F(y) with `inverse=True`) in inference mode, as numpy.

        Raises:
            ValueError: if the images' shape is not the generator's input shape.
        """
        net = self.inverse_generator if inverse else self.generator
        images = np.asarray(ops.convert_to_numpy(images), "float32")
        expected = _image_shape(net, "input")
        if images.ndim != 4 or images.shape[1:] != expected:
            raise ValueError(
                f"images must be a batch of shape (n, {', '.join(map(str, expected))}). "
                f"Received: images with shape {images.shape}"
            )
        return infer(net, images, batch_size)

    def generate(self, n=None, z=None, batch_size=1024):
        raise NotImplementedError("CycleGAN translates images: use translate(x).")

    # ----------------------------------------------------------- serialising
    def get_config(self):
        config = super().get_config()
        config.pop("latent_dim", None)
        config.pop("latent_distribution", None)
        config.update(
            inverse_generator=keras.saving.serialize_keras_object(self.inverse_generator),
            inverse_discriminator=keras.saving.serialize_keras_object(self.inverse_discriminator),
            pool_size=self.pool_size,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator", "inverse_generator", "inverse_discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
