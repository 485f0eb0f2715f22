"""SRGAN (Ledig et al., 2017): SRResNet (stage 1) and SRGAN (stage 2), one model class."""

import inspect

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, frozen_call, mean_probability
from ganlab.nets.inference import infer

CONTENT_LOSSES = ("mse", "vgg22", "vgg54")
"""Content losses of Ledig 2017, Table 2: pixel MSE, VGG phi_{2,2}, VGG phi_{5,4}."""


@keras.saving.register_keras_serializable("ganlab")
class SRGAN(GANBase):
    """Single-image super-resolution: SRResNet alone, or SRGAN (Ledig 2017).

    G maps an LR image to an HR one, `scale` times larger. Its loss is the
    perceptual loss (Ledig 2017, Eq. 3):

        l_SR = l_X + 1e-3 * l_Gen,    l_Gen = sum_n -log D(G(I_LR))     (Eq. 6)

    with the content loss l_X either the pixel MSE (Eq. 4; `content="mse"`)
    or the MSE of VGG19 feature maps (Eq. 5; "vgg22" is phi_{2,2}, "vgg54"
    phi_{5,4}, the paper's SRGAN). D, on HR images, descends the minimax
    loss -log D(I_HR) - log(1 - D(G(I_LR))) (Eq. 2).

    The same class is both stages of the paper's training:

    - stage 1, SRResNet: `compile(g_optimizer)` without a `d_optimizer`: G
      descends the content loss alone; the model needs no discriminator
      (`SRGAN(g)`); with `content="mse"` this is SRResNet-MSE;
    - stage 2, SRGAN: `compile(g_optimizer, d_optimizer)` on a model with a
      discriminator, G initialised from stage 1 ("we employed the trained
      MSE-based SRResNet network as initialization for the generator when
      training the actual GAN to avoid undesired local optima", Section
      3.2). Each `train_step` computes G(I_LR) once, takes the D-step on it
      (G's gradient stopped), then the G-step with the updated D frozen (no
      variable of D changes, batchnorm statistics included).

    Losses are scaled to the global batch (`GANBase.apply_step`), and the
    nets of `ganlab.nets.srgan` synchronise batchnorm across replicas, so a
    step on N replicas equals a step on one device.

    Args:
        generator: LR image -> HR image (`ganlab.nets.srresnet_generator`).
        discriminator: HR image -> logit (`ganlab.nets.srgan_discriminator`),
            or None for stage 1.
        seed: integer seed of the model's `SeedGenerator`.

    Compile options (`compile(g_optimizer, d_optimizer=None, **options)`;
    the paper: Adam(1e-4, beta_1=0.9) for both):
        content: "mse" (default), "vgg22" or "vgg54".
        adversarial_weight: the weight of l_Gen (default 1e-3, the paper's).
        vgg_weights: path of the VGG19 ImageNet weights (default: the Keras
            cache); only for the VGG losses. Missing weights fail in one line
            (`ganlab.nets.srgan.VGGWeightsMissingError`); nothing is
            downloaded or substituted.

    Trackers: g_loss, g_content (the content loss) and, in stage 2, g_adv
    (l_Gen, unweighted), d_loss, d_real and d_fake (mean D before D's update).

    Raises:
        ValueError: for a d_optimizer without a discriminator, an unknown
            content loss, a negative adversarial weight, or (in `train_step`)
            batches that are not (lr, hr) pairs.

    Example:
        >>> from ganlab.nets import srresnet_generator, srgan_discriminator
        >>> g = srresnet_generator(blocks=2, scale=4, filters=8)
        >>> srresnet = SRGAN(g)
        >>> srresnet.compile(keras.optimizers.Adam(1e-4))
        >>> srresnet.super_resolve(np.zeros((2, 8, 8, 3), "float32")).shape
        (2, 32, 32, 3)
        >>> srgan = SRGAN(g, srgan_discriminator(32, filters=8, dense=16))
        >>> srgan.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    """

    def __init__(self, generator, discriminator=None, seed=None, **kwargs):
        for key in ("latent_dim", "latent_distribution"):
            kwargs.pop(key, None)  # super-resolution has no latent prior
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.add_trackers("g_loss", "g_content", "g_adv", "d_loss", "d_real", "d_fake")
        self.content_net = None
        self.d_optimizer = None
        self.configure()

    @property
    def adversarial(self):
        """Stage 2: a discriminator and its optimizer."""
        return self.d_optimizer is not None

    def compile(self, g_optimizer, d_optimizer=None, jit_compile=False, steps_per_execution=1,
                **options):
        """The one compile signature: `d_optimizer=None` is stage 1 (SRResNet)."""
        for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer) and not (
                    name == "d_optimizer" and opt is None):
                raise ValueError(f"{name} must be a keras.optimizers.Optimizer"
                                 f"{' or None (stage 1)' if name == 'd_optimizer' else ''}. "
                                 f"Received: {name}={opt!r}")
        if d_optimizer is not None and self.discriminator is None:
            raise ValueError("stage 2 (a d_optimizer) needs a discriminator: SRGAN(generator, "
                             f"discriminator). Received: d_optimizer={d_optimizer!r} and no "
                             "discriminator")
        unknown = sorted(set(options) - set(inspect.signature(self.configure).parameters))
        if unknown:
            raise ValueError(f"Unknown compile option(s) for SRGAN: {unknown}. "
                             f"Allowed: {sorted(inspect.signature(self.configure).parameters)}")
        keras.Model.compile(self, jit_compile=jit_compile, steps_per_execution=steps_per_execution)
        self.configure(**options)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        for opt, net in self.optimizer_pairs():
            opt.build(net.trainable_variables)  # slots before the first replica step

    def configure(self, content="mse", adversarial_weight=1e-3, vgg_weights=None):
        if content not in CONTENT_LOSSES:
            raise ValueError(f"content must be one of {CONTENT_LOSSES}. Received: content={content!r}")
        if isinstance(adversarial_weight, bool) or not isinstance(adversarial_weight, (int, float)) \
                or not adversarial_weight >= 0:
            raise ValueError("adversarial_weight must be a number >= 0. "
                             f"Received: adversarial_weight={adversarial_weight!r}")
        self.content, self.adversarial_weight = content, float(adversarial_weight)
        if content != "mse":
            from ganlab.nets.srgan import vgg19_features

            self.content_net = vgg19_features(content[3:], vgg_weights)

    def optimizer_pairs(self):
        pairs = [(self.g_optimizer, self.generator)]
        return pairs + ([(self.d_optimizer, self.discriminator)] if self.adversarial else [])

    @property
    def metrics(self):
        names = list(self.trackers) if self.adversarial else ["g_loss", "g_content"]
        return [self.trackers[n] for n in names]

    # ----------------------------------------------------------------- steps
    def content_loss(self, hr, sr):
        """l_X: the pixel MSE (Eq. 4) or the VGG loss (Eq. 5) of the compiled content."""
        if self.content == "mse":
            return losses.pixel_mse_loss(hr, sr)
        return losses.vgg_content_loss(self.content_net(hr, training=False),
                                       self.content_net(sr, training=False))

    def _discriminator_update(self, hr, sr):
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(hr, training=True)
            fake_logits = self.discriminator(ops.stop_gradient(sr), training=True)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits)
        self.apply_step(tape, d_loss, self.d_optimizer, self.discriminator.trainable_variables)
        return {"d_loss": d_loss, "d_real": mean_probability(real_logits),
                "d_fake": mean_probability(fake_logits)}

    def _generator_losses(self, hr, sr):
        content = self.content_loss(hr, sr)
        if not self.adversarial:
            return {"g_loss": content, "g_content": content}
        adv = losses.non_saturating_generator_loss(frozen_call(self.discriminator, sr))
        return {"g_loss": content + self.adversarial_weight * adv, "g_content": content,
                "g_adv": adv}

    def step(self, lr, hr, update_d=True, update_g=True):
        """One iteration on a batch: the D-step (stage 2), then the G-step.

        Args:
            lr, hr: LR images (batch, h, w, 3) and their HR images.
            update_d: take the D-step (stage 2 only).
            update_g: take the G-step; without it G(lr) is computed
                statelessly (G's batchnorm statistics do not move either).

        Returns:
            Dict of the losses (and D's mean probabilities) of the steps taken.
        """
        lr, hr = ops.convert_to_tensor(lr), ops.convert_to_tensor(hr)
        logs = {}
        with tf.GradientTape() as tape:
            sr = self.generator(lr, training=True) if update_g else frozen_call(self.generator, lr)
            if update_d and self.adversarial:
                with tape.stop_recording():
                    logs.update(self._discriminator_update(hr, sr))
            if update_g:
                logs.update(self._generator_losses(hr, sr))
        if update_g:
            self.apply_step(tape, logs["g_loss"], self.g_optimizer, self.generator.trainable_variables)
        return logs

    def discriminator_step(self, lr, hr):
        """The D-step alone (G unchanged). Returns its logs."""
        return self.step(lr, hr, update_d=True, update_g=False)

    def generator_step(self, lr, hr):
        """The G-step alone (D unchanged). Returns its logs."""
        return self.step(lr, hr, update_d=False, update_g=True)

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("SRGAN trains on (lr, hr) batches. Received: a batch of "
                             f"{type(data).__name__}")
        self.track(**self.step(data[0], data[1]))
        return {n: v for n, v in self.results().items() if self.trackers[n] in self.metrics}

    # ------------------------------------------------------------ inference
    def call(self, lr, training=False):
        """G(lr)."""
        return self.generator(lr, training=training)

    def super_resolve(self, lr, batch_size=16):
        """G(lr) in inference mode, as numpy.

        Raises:
            ValueError: if lr is not a batch of images with G's channels.
        """
        lr = np.asarray(ops.convert_to_numpy(lr), "float32")
        channels = self.generator.input_shape[-1]
        if lr.ndim != 4 or lr.shape[-1] != channels:
            raise ValueError(f"lr must be a batch of images (n, h, w, {channels}). "
                             f"Received: lr with shape {lr.shape}")
        return infer(self.generator, lr, batch_size)

    def generate(self, n=None, z=None, batch_size=1024):
        raise NotImplementedError("SRGAN super-resolves images: use super_resolve(lr).")

    def get_config(self):
        config = super().get_config()
        config.pop("latent_dim", None)
        config.pop("latent_distribution", None)
        return config
