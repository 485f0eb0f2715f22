"""Progressive growing of GANs (Karras 2018): WGAN-GP with drift, G and D growing 4x4 -> 32x32."""

import keras
from keras import ops

from ganlab import losses
from ganlab.models.base import split_minibatches
from ganlab.models.wgan import WGANGP, _check_n_critic
from ganlab.nets.progan import FadeIn, downsample, mark_built, upsample2x


def _check_number(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= low:
        raise ValueError(f"{name} must be a number >= {low}. Received: {name}={value!r}")


@keras.saving.register_keras_serializable("ganlab")
class ProGAN(WGANGP):
    """Progressive GAN (Karras 2018): G and D grow a block at a time, each faded in.

    The nets are `ganlab.nets.ProgressiveGenerator` and
    `ganlab.nets.ProgressiveDiscriminator`, which grow 4x4 -> 8x8 -> 16x16
    -> 32x32 (phases 0 .. 3). Training is a sequence of `fit` calls, one per
    phase, with `set_phase(k, fade_steps)` before each (Karras 2018,
    Section 3, Figure 2): in phase k > 0, step t uses

        alpha_t = min(1, t / fade_steps)

    so the new block fades in linearly over `fade_steps` steps and the rest
    of the phase stabilises at alpha = 1 (the paper fades over 800k images
    and stabilises over 800k more). Phase 0 has nothing to fade (alpha = 1).
    The real images (any side that is a multiple of the phase's) are
    average-pooled to the phase's side and, while fading, blended the same
    way with their 2x-coarser version upsampled (Figure 2's caption).

    Each `train_step` (n_critic = 1 in the paper, "we alternate between
    optimizing the generator and discriminator on a per-minibatch basis"):

    1. D descends WGAN-GP's loss with the drift term (Karras 2018,
       Appendix A.1; Gulrajani 2017, Eq. 3):

           L_D = E_z[D(G(z))] - E_x[D(x)] + lambda E[(||grad D(x_hat)|| - 1)^2]
                 + epsilon_drift E_x[D(x)^2],   lambda = 10, epsilon_drift = 0.001

       (`ganlab.losses.gradient_penalty`, `ganlab.losses.drift_penalty`);
    2. G descends -E_z[D(G(z))]. Each step updates only the variables of
       the current phase's network (`phase_trainable_variables`); D's step
       leaves G alone and G's leaves D alone.

    How the graph changes at a phase change, and why it stays correct
    under `tf.distribute`: every layer of every phase, the nets' `alpha`
    and the step counter `phase_step` are created when the nets and this
    model are constructed (inside the strategy's scope, so all are mirrored),
    and `compile` builds both optimizers' slots for every trainable variable
    of every phase. The phase is a Python attribute of the nets that their
    `call` follows; `set_phase` changes it between `fit` calls (outside any
    `tf.function`), resets the counter and drops the cached train / test /
    predict functions, so the next `fit` traces one new graph for the new
    phase, once, on every replica alike. No variable is created, dropped or
    copied, so the already-trained weights are kept as they are. Within a
    phase alpha is a non-trainable variable computed from `phase_step` in
    the step itself (same value on every replica, `only_first_replica`
    aggregation), so nothing is retraced and `steps_per_execution` > 1 sees
    the right alpha at every step. z and the interpolation weights of the
    penalty are drawn for the global batch and sliced per replica (see
    `GANBase`), the minibatch stddev uses groups of 4 consecutive samples,
    and losses are scaled to the global batch: 2 replicas train what one
    device would (tests/models/mirrored_progan_check.py).

    Not here: the paper's exponential moving average of G's weights and its
    mini-batch size schedule. The phase and fade_steps are configuration:
    `save` / `load_model` keep them (and alpha and `phase_step`, which are
    weights), but a weights-only checkpoint does not, so a resumed run
    must call `set_phase` with its phase first and then restore.

    Args:
        generator: a `ProgressiveGenerator`.
        discriminator: a `ProgressiveDiscriminator` with the same resolutions.
        phase: the starting phase (0 is 4x4).
        fade_steps: steps of the fade-in of the starting phase (>= 1).
        **kwargs: `GANBase`'s (latent_distribution, seed, ...).

    Compile options (`compile(g_optimizer, d_optimizer, **options)`; the
    paper: Adam(1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8) for both):
        gp_weight: lambda (default 10).
        drift_weight: epsilon_drift (default 0.001).
        n_critic: critic minibatches per G step (default 1).

    Trackers: critic_loss (everything), wasserstein_estimate, gradient_penalty
    and drift (unweighted), g_loss, alpha.

    Example:
        >>> from ganlab.nets import ProgressiveGenerator, ProgressiveDiscriminator
        >>> gan = ProGAN(ProgressiveGenerator(8, 16, 1, 8), ProgressiveDiscriminator(16, 1, 8),
        ...              seed=0)
        >>> gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99),
        ...             keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99))
        >>> gan.set_phase(1, fade_steps=100)
    """

    def __init__(self, generator, discriminator, phase=0, fade_steps=1, **kwargs):
        if generator.resolutions != discriminator.resolutions:
            raise ValueError(
                "generator and discriminator must grow through the same resolutions. Received: "
                f"generator {generator.resolutions}, discriminator {discriminator.resolutions}")
        super().__init__(generator, discriminator, **kwargs)
        self.phase_step = self.add_weight(name="phase_step", shape=(), initializer="zeros",
                                          trainable=False, aggregation="only_first_replica")
        self.fader = mark_built(FadeIn(name="fade_reals"))
        self._set_phase(phase, fade_steps)

    def tracker_names(self):
        return ("critic_loss", "wasserstein_estimate", "gradient_penalty", "drift", "g_loss",
                "alpha")

    def configure(self, gp_weight=10.0, drift_weight=0.001, n_critic=1):
        _check_n_critic(n_critic)
        _check_number("gp_weight", gp_weight, 0)
        _check_number("drift_weight", drift_weight, 0)
        self.n_critic = n_critic
        self.gp_weight = float(gp_weight)
        self.drift_weight = float(drift_weight)

    # -------------------------------------------------------------- phases
    @property
    def phase(self):
        return self.generator.phase

    @property
    def resolution(self):
        return self.generator.resolution

    def _set_phase(self, phase, fade_steps):
        phase = self.generator.check_phase(phase)
        if isinstance(fade_steps, bool) or not isinstance(fade_steps, int) or fade_steps < 1:
            raise ValueError(f"fade_steps must be an integer >= 1. Received: fade_steps={fade_steps!r}")
        self.generator.phase = self.discriminator.phase = phase
        self.fade_steps = fade_steps

    def set_phase(self, phase, fade_steps=1):
        """Grow (or move) to `phase`; the new block fades in over `fade_steps` steps.

        Keeps every weight; resets the phase's step counter and alpha (0, or
        1 in phase 0) and drops the cached `tf.function`s, which the next
        `fit` / `predict` traces again for the new phase's graph.
        """
        self._set_phase(phase, fade_steps)
        self.phase_step.assign(0.0)
        self.set_alpha(1.0 if phase == 0 else 0.0)
        for model in (self, self.generator, self.discriminator):
            model.train_function = model.test_function = model.predict_function = None

    def set_alpha(self, alpha):
        """Set the fade-in weight of both nets (as the training step does)."""
        self.generator.alpha.assign(alpha)
        self.discriminator.alpha.assign(alpha)

    def advance_alpha(self):
        """alpha_t = min(1, t / fade_steps) for this step t of the phase (1 in phase 0)."""
        if self.phase == 0:
            alpha = ops.ones(())
        else:
            alpha = ops.minimum(1.0, self.phase_step * (1.0 / self.fade_steps))
        self.set_alpha(alpha)
        self.phase_step.assign_add(1.0)
        return alpha

    def phase_reals(self, real, alpha):
        """Real images at the phase's side, blended with the coarser side while fading."""
        side = real.shape[1]
        if side is None or side % self.resolution:
            raise ValueError(f"real images must have a static side that is a multiple of the "
                             f"phase's resolution {self.resolution}. Received: shape={real.shape}")
        real = downsample(ops.cast(real, "float32"), side // self.resolution)
        if self.phase == 0:
            return real
        return self.fader([upsample2x(downsample(real)), real], alpha=alpha)

    # --------------------------------------------------------------- steps
    def critic_loss(self, real, fake, real_scores, fake_scores):
        """WGAN-GP's loss plus the drift: (loss, Wasserstein part, (penalty, drift))."""
        w_loss = losses.wasserstein_discriminator_loss(real_scores, fake_scores)
        penalty = self.critic_penalty(real, fake)
        drift = losses.drift_penalty(real_scores)
        loss = w_loss + self.gp_weight * penalty + self.drift_weight * drift
        return loss, w_loss, (penalty, drift)

    def step_variables(self, net):
        """The trainable variables of the current phase's `net` (`WGAN.critic_step` and
        `WGAN.generator_step` update these; the critic step returns (loss, Wasserstein
        estimate, gradient penalty, drift))."""
        return net.phase_trainable_variables()

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        alpha = self.advance_alpha()
        minibatches = split_minibatches(self.phase_reals(real, alpha), self.n_critic)
        for x in minibatches:
            loss, estimate, penalty, drift = self.critic_step(x)
        g_loss = self.generator_step(ops.shape(minibatches[0])[0])
        self.track(critic_loss=loss, wasserstein_estimate=estimate, gradient_penalty=penalty,
                   drift=drift, g_loss=g_loss, alpha=alpha)
        return self.results()

    # --------------------------------------------------------- serialising
    def get_config(self):
        return {**super().get_config(), "phase": self.phase, "fade_steps": self.fade_steps}
