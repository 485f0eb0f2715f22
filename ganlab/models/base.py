"""What every GAN variant shares: latent prior, seeds, compile, metrics, config."""

import inspect

import keras
import tensorflow as tf
from keras import ops

from ganlab.nets.inference import infer
from ganlab.nets.layers import ReplicaSafeSeedGenerator

LATENT_DISTRIBUTIONS = ("normal", "uniform")


def uses_ema(optimizer):
    """Whether `optimizer` keeps an exponential moving average of the weights.

    A `keras.optimizers.LossScaleOptimizer` reports `use_ema=False` whatever
    it wraps; the average, if any, is its inner optimizer's.

    Args:
        optimizer: a `keras.optimizers.Optimizer`, wrapped or not.

    Returns:
        bool.
    """
    while isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer = optimizer.inner_optimizer
    return bool(optimizer.use_ema)


def _replica_slot():
    """(replica id, number of replicas) of the current replica context."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:  # cross-replica context: draw as on one device
        return 0, 1
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


class GANBase(keras.Model):
    """Base class of every GAN variant: subclasses write `train_step`.

    It holds the generator and discriminator, draws latent vectors from the
    prior, builds both optimizers in `compile` (so their variables exist
    before the first replica step, as `tf.distribute` needs), scales losses
    to the global batch, and exposes metric trackers through `metrics` so
    `fit`, the progress bar and TensorBoard report them.

    Batchnorm statistics during a step: both networks always run in
    training mode, as in the reference implementations of the papers the
    variants follow (the PyTorch DCGAN example that `ganlab.nets.dcgan`
    follows, Arjovsky's WassersteinGAN code; neither ever switches a
    network to evaluation mode while training). So each batchnorm layer
    normalises by the statistics of the batch it sees and updates its moving
    statistics every time its network runs, in the other network's step
    too: G's while G makes the fakes of D's step, D's while D scores the
    fakes of G's step. A step changes only the *trainable* weights of the
    network it updates; the moving statistics, which matter only in
    inference mode, follow whatever each network was last run on. GAN,
    WGAN, WGAN-GP and ConditionalGAN all do this.

    Noise under `tf.distribute`: each replica draws the noise of the whole
    global batch from the shared seed and keeps its own slice, so N replicas
    see exactly the noise one device would for the same global batch.

    Args:
        generator: `keras.Model` mapping (batch, latent_dim) to samples.
        discriminator: `keras.Model` mapping samples to logits or scores.
        latent_dim: dimension of z; read from the generator when None.
        latent_distribution: "normal" (N(0, I)) or "uniform" (U[-1, 1]).
        seed: integer seed of the model's `SeedGenerator`.

    Raises:
        ValueError: for an unknown latent distribution or a latent_dim that
            does not match the generator's input.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"latent_distribution must be one of {LATENT_DISTRIBUTIONS}. "
                f"Received: latent_distribution={latent_distribution!r}"
            )
        g_input = generator.input_shape
        if isinstance(g_input, list):  # conditional generators take [z, y, ...]: z first
            g_input = g_input[0]
        g_latent = g_input[-1]
        if latent_dim is None:
            latent_dim = g_latent
        if latent_dim != g_latent:
            raise ValueError(
                f"latent_dim must match the generator's input ({g_latent}). "
                f"Received: latent_dim={latent_dim}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.latent_distribution = latent_distribution
        self.seed = seed
        self.seed_generator = ReplicaSafeSeedGenerator(seed)
        self.trackers = {}
        # Built networks make a built GAN. Otherwise `fit` under any
        # tf.distribute strategy "symbolically builds" the model by calling
        # it on a batch of *data*, which is not G's input (it fails unless
        # the data happen to have latent_dim features).
        if generator.built and (discriminator is None or discriminator.built):
            self.built = True

    # ------------------------------------------------------------------ noise
    def sample_latent(self, batch_size, z=None):
        """Draw latent vectors z of shape (batch_size, latent_dim) from the prior.

        Args:
            batch_size: number of vectors (this replica's share).
            z: optional tensor to use instead of drawing (tests inject noise).
        """
        if z is not None:
            return z
        replica, replicas = _replica_slot()
        shape = (batch_size * replicas, self.latent_dim)
        if self.latent_distribution == "normal":
            z = keras.random.normal(shape, seed=self.seed_generator)
        else:
            z = keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        if replicas == 1:
            return z
        return z[replica * batch_size : (replica + 1) * batch_size]

    def generate(self, n=None, z=None, batch_size=1024):
        """Draw `n` samples from the generator (inference mode), as numpy.

        Args:
            n: number of samples (when `z` is None).
            z: latent vectors to map instead of drawing new ones.
            batch_size: samples per generator call.

        Raises:
            ValueError: if neither or both of n and z are given, or n < 1.
        """
        if (n is None) == (z is None):
            raise ValueError(
                f"generate needs exactly one of n and z. Received: n={n}, z={z}"
            )
        if z is None:
            if n < 1:
                raise ValueError(f"n must be >= 1. Received: n={n}")
            z = self.sample_latent(n)
        return infer(self.generator, z, batch_size)

    def call(self, z, training=False):
        """G(z). Defined so Keras can build and trace the model."""
        return self.generator(z, training=training)

    # ---------------------------------------------------------------- compile
    def compile(
        self,
        g_optimizer,
        d_optimizer,
        jit_compile=False,
        steps_per_execution=1,
        **variant_options,
    ):
        """Configure training: the one compile signature of every variant.

        Args:
            g_optimizer: `keras.optimizers.Optimizer` for the generator.
            d_optimizer: `keras.optimizers.Optimizer` for the discriminator.
            jit_compile: passed to `keras.Model.compile`.
            steps_per_execution: passed to `keras.Model.compile`.
            **variant_options: the variant's own options (see its
                `configure`).

        Raises:
            ValueError: for a missing optimizer or an unknown option.
        """
        for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise ValueError(
                    f"{name} must be a keras.optimizers.Optimizer. "
                    f"Received: {name}={opt!r}"
                )
        allowed = inspect.signature(self.configure).parameters
        unknown = sorted(set(variant_options) - set(allowed))
        if unknown:
            raise ValueError(
                f"Unknown compile option(s) for {type(self).__name__}: {unknown}. "
                f"Allowed: {sorted(allowed)}"
            )
        super().compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution)
        self.configure(**variant_options)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer
        # Optimizer slots must exist before the first (replica) step.
        for optimizer, nets in self.optimizer_pairs():
            optimizer.build(nets.trainable_variables)

    def fit(self, *args, **kwargs):
        """`keras.Model.fit`, then each optimizer's weight average (if any) is applied.

        Keras applies `use_ema` only for `model.optimizer`; a GAN has two,
        so this does the same for both when training ends. An optimizer
        wrapped in a `keras.optimizers.LossScaleOptimizer` (mixed_float16)
        keeps its average: the wrapper reports `use_ema=False`, but its inner
        optimizer tracks the average and the wrapper's
        `finalize_variable_values` applies it (see `uses_ema`). A `tf.data`
        pipeline is shuffled by its own `shuffle`; Keras 3 warns when fit's
        `shuffle=True` default meets one, so it is turned off for those.

        A `tf.data` pipeline also trains with tf.data's autotuning off
        (`options.autotune.enabled = False`; `AUTOTUNE` buffer sizes and
        parallelism then take fixed defaults). In TensorFlow 2.21 the
        iterator `fit` makes is deleted when `fit` returns, and its deletion
        waits for the autotuner's thread to wake from its optimisation
        period (which grows to at most a minute): on a 2-core CPU, lab 05's
        three fits returned 5.1, 0.3 and 26.0 s after their last epoch, the
        process idle, the main thread in `~RootDataset::Iterator` and the
        autotuner's in `Model::OptimizeLoop` (py-spy and gdb stacks); with
        autotuning off, 0.2-0.3 s. The batches, and so the results, are the
        same (every pipeline in `ganlab.data` is deterministic).
        """
        x = args[0] if args else kwargs.get("x")
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            options = tf.data.Options()
            options.autotune.enabled = False
            x = x.with_options(options)
            args, kwargs = ((x, *args[1:]), kwargs) if args else (args, {**kwargs, "x": x})
        history = super().fit(*args, **kwargs)
        for optimizer, net in self.optimizer_pairs():
            if uses_ema(optimizer):
                optimizer.finalize_variable_values(net.trainable_variables)
        return history

    def optimizer_pairs(self):
        """(optimizer, network) pairs; variants with more networks extend this."""
        return [(self.g_optimizer, self.generator), (self.d_optimizer, self.discriminator)]

    def configure(self, **options):
        """Set the variant's options; the base class accepts none."""
        if options:
            raise ValueError(
                f"Unknown compile option(s) for {type(self).__name__}: "
                f"{sorted(options)}"
            )

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def apply_step(tape, loss, optimizer, variables):
        """One optimizer update of `variables` from `loss` recorded on `tape`.

        The gradient is that of the loss times 1 / num_replicas (its share of
        the global-batch mean; the optimizer sums gradients across replicas)
        times the optimizer's loss scale (`optimizer.scale_loss`: the dynamic
        scale of a `keras.optimizers.LossScaleOptimizer`, which unscales in
        `apply_gradients`; 1 otherwise). The tape has usually been closed
        when this is called, so a product computed here would not be
        recorded; both factors enter as the seed of backpropagation
        (`output_gradients`) instead, which by the chain rule is the same.

        With a `LossScaleOptimizer` on several replicas, every replica takes
        the same decision to apply or skip the step (`agree_on_finite`):
        Keras's wrapper decides from each replica's own gradients, before
        they are summed, so one replica's overflow could reach the weights
        (or, where each replica decides alone, the replicas would branch
        differently around the gradients' all-reduce).
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        seed = optimizer.scale_loss(ops.ones_like(loss))
        if replicas > 1:
            seed = seed / replicas
        grads = tape.gradient(loss, variables, output_gradients=seed)
        if replicas > 1 and isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            grads = agree_on_finite(grads)
        optimizer.apply_gradients(zip(grads, variables, strict=True))

    def track(self, **values):
        """Update the Mean tracker of each named value (created on first use)."""
        for name, value in values.items():
            self.trackers[name].update_state(value)

    def add_trackers(self, *names):
        for name in names:
            self.trackers[name] = keras.metrics.Mean(name=name)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def results(self):
        """The trackers' current values: what `train_step` returns to `fit`.

        Under `MultiWorkerMirroredStrategy` Keras 3.15 reduces the logs with
        `strategy.reduce("MEAN", value, axis=0)`, which fails on scalars, so
        there they are returned with shape (1,) (reduced to scalars).
        """
        values = {name: t.result() for name, t in self.trackers.items()}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            values = {name: ops.reshape(v, (1,)) for name, v in values.items()}
        return values

    # ----------------------------------------------------------- serialising
    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            latent_distribution=self.latent_distribution,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def agree_on_finite(grads):
    """This replica's gradients, made non-finite everywhere if any replica's are.

    A `keras.optimizers.LossScaleOptimizer` skips a step (and halves its
    scale) when the gradients it sees are not all finite, but it looks at
    each replica's gradients before the all-reduce. If replica 1 overflows
    and replica 0 does not, TensorFlow's cross-replica path follows replica
    0 and applies the all-reduced, NaN-carrying gradients; the per-replica
    path would skip on one replica and all-reduce on the other. Here the
    replicas sum one flag ("my gradients are not all finite"); if any
    replica's gradients are not finite, every replica's gradients become
    NaN, so every replica's loss-scale optimizer skips the step and halves
    its scale. When all are finite the gradients pass unchanged. Costs one
    scalar all-reduce per update, only with loss scaling on several replicas.

    Args:
        grads: this replica's gradients (tensors, `tf.IndexedSlices` or None).

    Returns:
        The gradients, in the same structure.
    """
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return grads
    values = [g.values if isinstance(g, tf.IndexedSlices) else g for g in grads if g is not None]
    local = tf.reduce_all([tf.reduce_all(tf.math.is_finite(v)) for v in values])
    overflowed = ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(~local, "float32"))
    everyone = overflowed < 0.5

    def poison(v):
        return tf.where(everyone, v, tf.constant(float("nan"), v.dtype))

    out = []
    for g in grads:
        if g is None:
            out.append(g)
        elif isinstance(g, tf.IndexedSlices):
            out.append(tf.IndexedSlices(poison(g.values), g.indices, g.dense_shape))
        else:
            out.append(poison(g))
    return out


def split_minibatches(batch, k):
    """Split a batch into k interleaved minibatches (sizes differ by <= 1)."""
    return [batch[i::k] for i in range(k)]


def frozen_call(net, inputs):
    """net(inputs, training=True) without changing any of net's variables.

    The other network's forward pass in a step that must not move it, batchnorm
    statistics included (the G-steps of pix2pix, CycleGAN and SRGAN, as the reference
    code's `set_requires_grad(D, False)`); gradients still flow to `inputs`.
    """
    outputs, _ = net.stateless_call(
        [v.value for v in net.trainable_variables],
        [v.value for v in net.non_trainable_variables],
        inputs,
        training=True,
    )
    return outputs


def mean_probability(logits):
    """Mean of sigmoid(logits): the D(x) figure the trackers report."""
    return ops.mean(ops.sigmoid(ops.cast(logits, "float32")))
