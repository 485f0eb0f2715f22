"""Wasserstein GANs: WGAN with weight clipping and WGAN-GP.

Both train a *critic* f (unbounded scores, no sigmoid) to estimate the
Earth-Mover distance by its Kantorovich-Rubinstein dual (Arjovsky 2017,
Eq. 3),

    W(P_r, P_g) = sup_{||f||_L <= 1} E_{x ~ P_r}[f(x)] - E_{x ~ P_g}[f(x)],

and the generator descends -E_z[f(G(z))]. They differ in how f is kept
Lipschitz: WGAN clips every critic weight to [-c, c] after each critic
update (Arjovsky 2017, Algorithm 1); WGAN-GP adds lambda times a penalty on
the critic's gradient norm at random interpolates (Gulrajani 2017, Eq. 3,
Algorithm 1).
"""

import keras
import tensorflow as tf
from keras import ops

from ganlab import losses
from ganlab.models.base import GANBase, _replica_slot, split_minibatches


def _check_n_critic(n_critic):
    if isinstance(n_critic, bool) or not isinstance(n_critic, int) or n_critic < 1:
        raise ValueError(
            f"n_critic must be an integer >= 1. Received: n_critic={n_critic!r}"
        )


def clip_weights(variables, clip_value):
    """Clip every variable to [-clip_value, clip_value] in place.

    Called in the same replica step, right after `apply_gradients`, exactly
    where Keras's own optimizer applies weight constraints
    (`BaseOptimizer.apply`), and in the same way (`variable.assign`). It is
    correct under `MirroredStrategy`: the optimizer update has all-reduced
    the gradients, so every replica holds the same weights, computes the same
    clipped value and writes it to its own copy; the copies stay identical
    (tests/models/mirrored_wgan_check.py checks them against a one-device
    step). Clipping in a cross-replica `merge_call` instead put the critic's
    and the generator's gradient all-reduces out of order between replicas
    (a collective shape mismatch) in TF 2.21, and a Keras weight constraint
    would have to be built into the critic, tying the net to this training
    rule.

    Args:
        variables: Keras variables (e.g. `critic.trainable_variables`).
        clip_value: c > 0.
    """
    for v in variables:
        v.assign(ops.clip(v, -clip_value, clip_value))


@keras.saving.register_keras_serializable("ganlab")
class WGAN(GANBase):
    """Wasserstein GAN with weight clipping, Algorithm 1 of Arjovsky 2017.

    Each `train_step` (one generator iteration of Algorithm 1):

    1. for n_critic steps: take a fresh minibatch of data x and noise z;
       update the critic by descending

           L_critic = E_z[f(G(z))] - E_x[f(x)]          (Arjovsky 2017, Eq. 3)

       then clip every critic weight to [-c, c] (G's trainable weights
       untouched);
    2. draw a minibatch of noise; update G by descending -E_z[f(G(z))]
       (the critic's trainable weights untouched).

    Both networks run in training mode in both steps, as in Arjovsky's
    reference code: G's batchnorm moving statistics change in the critic's
    steps, and a critic with batchnorm (the paper's DCGAN critic) has its
    moving statistics changed in G's step (see `GANBase`). WGAN-GP's critic
    should have no batchnorm (see `WGANGP`).

    The n_critic data minibatches come from the batch `fit` hands the step:
    a batch of n_critic * m examples is split into n_critic interleaved
    minibatches of m (like `GAN`'s k). Feed `fit` batches of n_critic times
    the minibatch size (`d_steps` is an alias of `n_critic`, so
    `ganlab.recipes.toy.dataset_for` works).

    The paper trains both networks with RMSProp(lr=5e-5), c = 0.01 and
    n_critic = 5; the optimizers are passed to `compile`.

    Compile options (`compile(g_optimizer, d_optimizer, **options)`):
        n_critic: critic steps per generator step (default 5).
        clip_value: c, the clipping bound (default 0.01). The critic is then
            K-Lipschitz for some K that depends on c and the architecture,
            so the logged estimate is K * W1, not W1.

    Trackers: critic_loss, wasserstein_estimate (-critic loss, i.e.
    E[f(x)] - E[f(G(z))] on the last critic minibatch), g_loss.

    Example:
        >>> from ganlab.nets import mlp_generator, mlp_discriminator
        >>> wgan = WGAN(mlp_generator(2, 2), mlp_discriminator(2), seed=0)
        >>> wgan.compile(keras.optimizers.RMSprop(5e-5),
        ...              keras.optimizers.RMSprop(5e-5), n_critic=5, clip_value=0.01)
    """

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.add_trackers(*self.tracker_names())
        self.configure()

    @property
    def critic(self):
        """The critic f (the `discriminator` of `GANBase`)."""
        return self.discriminator

    @property
    def d_steps(self):
        """Alias of n_critic: critic steps per generator step."""
        return self.n_critic

    def tracker_names(self):
        return ("critic_loss", "wasserstein_estimate", "g_loss")

    def configure(self, n_critic=5, clip_value=0.01):
        _check_n_critic(n_critic)
        if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float)) or not clip_value > 0:
            raise ValueError(
                f"clip_value (c) must be a number > 0. Received: clip_value={clip_value!r}"
            )
        self.n_critic = n_critic
        self.clip_value = float(clip_value)

    # The critic's Lipschitz device; WGAN-GP overrides both.
    penalty_weight = 0.0

    def critic_penalty(self, real, fake):
        """The critic's penalty term before its weight (none for WGAN), or None."""
        return None

    def after_critic_update(self):
        """Clip every critic weight to [-c, c] (Algorithm 1, line 7)."""
        clip_weights(self.critic.trainable_variables, self.clip_value)

    def critic_loss(self, real, fake, real_scores, fake_scores):
        """The critic's loss (Eq. 3 plus any penalty): (loss, Wasserstein part, (penalty,))."""
        w_loss = losses.wasserstein_discriminator_loss(real_scores, fake_scores)
        penalty = self.critic_penalty(real, fake)
        loss = w_loss if penalty is None else w_loss + self.penalty_weight * penalty
        return loss, w_loss, (penalty,)

    def step_variables(self, net):
        """The variables of `net` (the critic or G) that one step of it updates: all."""
        return net.trainable_variables

    def critic_step(self, real, z=None):
        """One critic update on `real` and G(z).

        Returns:
            (critic loss including any penalty, Wasserstein estimate,
            penalty or None).
        """
        z = self.sample_latent(ops.shape(real)[0], z)
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_scores = self.critic(real, training=True)
            fake_scores = self.critic(fake, training=True)
            loss, w_loss, terms = self.critic_loss(real, fake, real_scores, fake_scores)
        self.apply_step(tape, loss, self.d_optimizer, self.step_variables(self.critic))
        self.after_critic_update()
        return (loss, -w_loss, *terms)

    def generator_step(self, batch_size, z=None):
        """One G update from a fresh noise minibatch; returns -E_z[f(G(z))]."""
        z = self.sample_latent(batch_size, z)
        with tf.GradientTape() as tape:
            scores = self.critic(self.generator(z, training=True), training=True)
            g_loss = losses.wasserstein_generator_loss(scores)
        self.apply_step(tape, g_loss, self.g_optimizer, self.step_variables(self.generator))
        return g_loss

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        minibatches = split_minibatches(real, self.n_critic)
        for x in minibatches:
            loss, estimate, penalty = self.critic_step(x)
        g_loss = self.generator_step(ops.shape(minibatches[0])[0])
        values = dict(critic_loss=loss, wasserstein_estimate=estimate, g_loss=g_loss)
        if penalty is not None:
            values["gradient_penalty"] = penalty
        self.track(**values)
        return self.results()


@keras.saving.register_keras_serializable("ganlab")
class WGANGP(WGAN):
    """WGAN with gradient penalty, Algorithm 1 of Gulrajani 2017.

    The critic descends (Gulrajani 2017, Eq. 3)

        L = E_z[f(G(z))] - E_x[f(x)] + lambda E_{x_hat}[(||grad f(x_hat)||_2 - 1)^2],
        x_hat = eps x + (1 - eps) G(z),   eps ~ U[0, 1] per example,

    with no weight clipping; the generator step is WGAN's. The paper uses
    lambda = 10, n_critic = 5 and Adam(1e-4, beta_1=0, beta_2=0.9) for both
    networks, and no batch normalisation in the critic (it makes the
    per-example gradient penalty invalid); use layer norm or none.

    Under `tf.distribute` each replica draws eps for the whole global batch
    from the shared seed and keeps its slice, so N replicas interpolate
    exactly as one device would.

    Compile options:
        n_critic: critic steps per generator step (default 5).
        gp_weight: lambda (default 10); 0 turns the penalty off (an
            unconstrained critic, for ablations).

    Trackers: critic_loss (with the penalty), wasserstein_estimate (without
    it), gradient_penalty (unweighted), g_loss.

    Example:
        >>> from ganlab.nets import mlp_generator, mlp_discriminator
        >>> gp = WGANGP(mlp_generator(2, 2), mlp_discriminator(2), seed=0)
        >>> gp.compile(keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        ...            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        ...            n_critic=5, gp_weight=10.0)
    """

    def tracker_names(self):
        return ("critic_loss", "wasserstein_estimate", "gradient_penalty", "g_loss")

    def configure(self, n_critic=5, gp_weight=10.0):
        _check_n_critic(n_critic)
        if isinstance(gp_weight, bool) or not isinstance(gp_weight, (int, float)) or not gp_weight >= 0:
            raise ValueError(
                f"gp_weight (lambda) must be a number >= 0. Received: gp_weight={gp_weight!r}"
            )
        self.n_critic = n_critic
        self.gp_weight = float(gp_weight)

    def draw_epsilon(self, batch_size, rank):
        """eps ~ U[0, 1] of shape (batch_size, 1, ..., 1), replica-consistent."""
        replica, replicas = _replica_slot()
        shape = [batch_size * replicas] + [1] * (rank - 1)
        eps = keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)
        if replicas == 1:
            return eps
        return eps[replica * batch_size : (replica + 1) * batch_size]

    @property
    def penalty_weight(self):
        return self.gp_weight

    def critic_penalty(self, real, fake, epsilon=None):
        """The unweighted gradient penalty at random interpolates (Eq. 3)."""
        if epsilon is None:
            epsilon = self.draw_epsilon(ops.shape(real)[0], len(real.shape))
        return losses.gradient_penalty(self.critic, real, fake, epsilon=epsilon)

    def after_critic_update(self):
        """No clipping: the penalty keeps the critic Lipschitz."""
