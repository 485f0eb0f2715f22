"""pix2pix (Isola, Zhu, Zhou & Efros, 2017): paired image-to-image translation."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, frozen_call, mean_probability
from ganlab.nets.inference import infer


def _image_shape(net, which):
    shape = net.input_shape if which == "input" else net.output_shape
    if isinstance(shape, list):
        raise ValueError(
            f"pix2pix nets take and return one image tensor. Received: a net with "
            f"{which} shapes {shape}"
        )
    return tuple(shape)


@keras.saving.register_keras_serializable("ganlab")
class Pix2Pix(GANBase):
    """pix2pix: a conditional GAN that translates an image x into an image y.

    G maps x to G(x) (its noise is its dropout); D judges pairs: it sees the
    input concatenated on channels with either the real target, (x, y), or
    the translation, (x, G(x)), and returns a map of logits, one per patch
    (a PatchGAN; the losses average over the map). The objective (Isola
    2017, Eq. 1, 3 and 4):

        L_cGAN(G, D) = E_{x,y}[log D(x, y)] + E_{x,z}[log(1 - D(x, G(x, z)))]
        L_L1(G)      = E_{x,y,z}[ ||y - G(x, z)||_1 ]
        G*           = arg min_G max_D L_cGAN(G, D) + lambda L_L1(G)

    Each `train_step` takes a batch `(x, y)` and follows the reference code
    (junyanz/pytorch-CycleGAN-and-pix2pix, `Pix2PixModel.optimize_parameters`):

    1. G(x) is computed once, in training mode;
    2. D-step: D descends half of the minimax loss,
       0.5 * (-log D(x, y) - log(1 - D(x, G(x)))) (halved "to slow down
       the rate at which D learns relative to G", Section 3.3), on G(x)
       with G's gradient stopped;
    3. G-step: with the updated D, frozen (none of D's variables, batchnorm
       statistics included, changes), G descends the non-saturating loss
       -log D(x, G(x)) plus lambda * L1(y, G(x)), through the same G(x).

    With `adversarial=False` (the paper's "L1 alone" ablation, Table 1) D is
    not trained and G descends lambda * L1 only.

    Losses are scaled to the global batch (`GANBase.apply_step`); the nets
    of `ganlab.nets.pix2pix` synchronise batchnorm across replicas and draw
    the dropout masks of the global batch, so a step on N replicas equals a
    step on one device.

    Args:
        generator: net image x -> image G(x) (same side), e.g.
            `ganlab.nets.unet_generator`.
        discriminator: net on (x, y) pairs concatenated on channels ->
            logits of any shape (a PatchGAN map), e.g.
            `ganlab.nets.patchgan_discriminator` with `in_channels` = x's
            channels + y's.
        seed: integer seed of the model's `SeedGenerator`.

    Compile options (`compile(g_optimizer, d_optimizer, **options)`; the
    paper uses Adam(2e-4, beta_1=0.5) for both):
        lambda_l1: weight of the L1 term (default 100, the paper's).
        adversarial: True (default): L1 + cGAN; False: L1 only, D untouched.

    Trackers: g_loss (the total G loss), g_l1 (the L1 distance, unweighted)
    and, when adversarial, d_loss (halved), g_gan, d_real (mean D(x, y))
    and d_fake (mean D(x, G(x)), before D's update).

    Raises:
        ValueError: if the nets do not fit together (D's input channels must
            be x's plus G(x)'s, and the sides must agree), or (in `compile`)
            for a negative `lambda_l1` or nothing left to train.

    Example:
        >>> from ganlab.nets import unet_generator, patchgan_discriminator
        >>> g = unet_generator(32, in_channels=1, out_channels=3, ngf=8)
        >>> d = patchgan_discriminator(32, in_channels=4, n_layers=2, ndf=8)
        >>> model = Pix2Pix(g, d, seed=0)
        >>> model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...               keras.optimizers.Adam(2e-4, beta_1=0.5), lambda_l1=100.0)
        >>> model.translate(np.zeros((2, 32, 32, 1), "float32")).shape
        (2, 32, 32, 3)
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        for key in ("latent_dim", "latent_distribution"):
            kwargs.pop(key, None)  # an image-to-image model has no latent prior
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        x_shape = _image_shape(generator, "input")
        g_shape = _image_shape(generator, "output")
        d_shape = _image_shape(discriminator, "input")
        if len(x_shape) != 4 or len(g_shape) != 4 or len(d_shape) != 4:
            raise ValueError(
                "pix2pix nets work on images (batch, H, W, C). Received: generator input "
                f"{x_shape}, output {g_shape}, discriminator input {d_shape}"
            )
        pair = x_shape[-1] + g_shape[-1]
        if d_shape[-1] != pair or x_shape[1:3] != g_shape[1:3] or d_shape[1:3] != x_shape[1:3]:
            raise ValueError(
                "the discriminator must take (x, G(x)) pairs concatenated on channels: "
                f"shape (batch, {x_shape[1]}, {x_shape[2]}, {pair}). Received: generator "
                f"{x_shape} -> {g_shape}, discriminator input {d_shape}"
            )
        self.add_trackers("d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake")
        self.configure()

    def configure(self, lambda_l1=100.0, adversarial=True):
        if isinstance(lambda_l1, bool) or not isinstance(lambda_l1, (int, float)) \
                or not lambda_l1 >= 0:
            raise ValueError(f"lambda_l1 must be a number >= 0. Received: lambda_l1={lambda_l1!r}")
        if not isinstance(adversarial, bool):
            raise ValueError(
                f"adversarial must be True or False. Received: adversarial={adversarial!r}")
        if not adversarial and lambda_l1 == 0:
            raise ValueError(
                "with adversarial=False the L1 term is G's only loss, so lambda_l1 must be "
                f"> 0. Received: lambda_l1={lambda_l1!r}, adversarial={adversarial!r}"
            )
        self.lambda_l1 = float(lambda_l1)
        self.adversarial = adversarial

    @property
    def metrics(self):
        names = self.trackers if self.adversarial else ("g_loss", "g_l1")
        return [self.trackers[name] for name in names]

    # ----------------------------------------------------------------- steps
    @staticmethod
    def pairs(x, images):
        """(x, images) concatenated on channels: what D judges."""
        return ops.concatenate([ops.cast(x, images.dtype), images], axis=-1)

    def _discriminator_update(self, x, y, fake):
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(self.pairs(x, y), training=True)
            fake_logits = self.discriminator(self.pairs(x, ops.stop_gradient(fake)),
                                             training=True)
            d_loss = 0.5 * losses.minimax_discriminator_loss(real_logits, fake_logits)
        self.apply_step(tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables)
        return {"d_loss": d_loss, "d_real": mean_probability(real_logits),
                "d_fake": mean_probability(fake_logits)}

    def _generator_losses(self, x, y, fake):
        l1 = losses.l1_reconstruction_loss(y, fake)
        if not self.adversarial:
            return {"g_loss": self.lambda_l1 * l1, "g_l1": l1}
        gan = losses.non_saturating_generator_loss(
            frozen_call(self.discriminator, self.pairs(x, fake)))
        return {"g_loss": gan + self.lambda_l1 * l1, "g_gan": gan, "g_l1": l1}

    def step(self, x, y, update_d=True, update_g=True):
        """One pix2pix iteration on a batch: the D-step, then the G-step.

        Args:
            x: input images (batch, H, W, C_in).
            y: target images (batch, H, W, C_out).
            update_d: take the D-step (ignored when not adversarial).
            update_g: take the G-step. Without it, G(x) is computed
                statelessly (G's batchnorm statistics do not move either).

        Returns:
            Dict of the losses and D's mean probabilities of the steps taken.
        """
        x = ops.convert_to_tensor(x)
        y = ops.convert_to_tensor(y)
        logs = {}
        with tf.GradientTape() as tape:
            fake = self.generator(x, training=True) if update_g \
                else frozen_call(self.generator, x)
            if update_d and self.adversarial:
                with tape.stop_recording():
                    logs.update(self._discriminator_update(x, y, fake))
            if update_g:
                logs.update(self._generator_losses(x, y, fake))
        if update_g:
            self.apply_step(tape, logs["g_loss"], self.g_optimizer,
                            self.generator.trainable_variables)
        return logs

    def discriminator_step(self, x, y):
        """The D-step alone (G unchanged). Returns its logs."""
        return self.step(x, y, update_d=True, update_g=False)

    def generator_step(self, x, y):
        """The G-step alone (D unchanged). Returns its logs."""
        return self.step(x, y, update_d=False, update_g=True)

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "Pix2Pix trains on (input, target) batches. Received: a batch of "
                f"{type(data).__name__}"
            )
        self.track(**self.step(data[0], data[1]))
        return {name: value for name, value in self.results().items()
                if self.trackers[name] in self.metrics}

    # ------------------------------------------------------------- sampling
    def call(self, x, training=False):
        """G(x)."""
        return self.generator(x, training=training)

    def translate(self, x, batch_size=64):
        """G(x) in inference mode, as numpy.

        Args:
            x: input images, (n, H, W, C_in), in [-1, 1].
            batch_size: images per generator call.

        Raises:
            ValueError: if x's shape is not the generator's input shape.
        """
        x = np.asarray(ops.convert_to_numpy(x), "float32")
        expected = _image_shape(self.generator, "input")[1:]
        if x.ndim != 4 or x.shape[1:] != expected:
            raise ValueError(
                f"x must be a batch of images of shape (n, {', '.join(map(str, expected))}). "
                f"Received: x with shape {x.shape}"
            )
        return infer(self.generator, x, batch_size)

    def generate(self, n=None, z=None, batch_size=1024):
        raise NotImplementedError("Pix2Pix translates images: use translate(x).")

    def get_config(self):
        config = super().get_config()
        config.pop("latent_dim", None)
        config.pop("latent_distribution", None)
        return config
