"""Where and how a model trains: devices, tf.distribute, precision, XLA, determinism.

Every lab and the `ganlab` CLI build their models inside
`strategy(devices).scope()` and feed `fit` the *global* batch; each
`train_step` in `ganlab.models` is written to be correct under any strategy
(losses scaled to the global batch, optimizer variables built in `compile`,
metrics summed across replicas).

* `strategy(None)`: `MultiWorkerMirroredStrategy` if `TF_CONFIG` names a
  cluster, `MirroredStrategy` over the visible GPUs if there are two or
  more, else the default strategy (one device).
* `strategy("cpu:2")`: split the CPU into two logical devices and mirror
  over them (how the tests and a laptop show what N GPUs do). Logical
  devices can only be configured before TensorFlow initialises its
  devices, that is, before the first op; later, `DevicesError` says so.
* `strategy("gpu")` / `strategy("gpu:2")`: mirror over all / the first two
  GPUs; `strategy("cpu")`: one CPU device, even when GPUs are present.

Mixed precision: `set_precision(name)` sets the global Keras dtype policy.
Networks keep their output layer in float32 (`dtype="float32"` on it) and
every loss casts to float32; `wrap_optimizer` puts a
`keras.optimizers.LossScaleOptimizer` around each optimizer under
`mixed_float16` (each of G and D gets its own dynamic loss scale).
"""

import json
import os
import re

import keras
import tensorflow as tf

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
XLA_CHOICES = ("auto", "on", "off")

_DEVICES_RE = re.compile(r"^(cpu|gpu)(?::([0-9]+))?$")


def add_runtime_arguments(p):
    """Add the runtime's flags to an argparse parser (the labs' and `ganlab train`'s).

    --devices, --precision, --xla and --deterministic: what `Runtime` takes.
    """
    p.add_argument("--devices", default="auto",
                   help="auto, cpu, cpu:N (N logical CPU devices), gpu, gpu:N (default auto)")
    p.add_argument("--precision", default="float32", choices=PRECISIONS,
                   help="dtype policy (default float32)")
    p.add_argument("--xla", default="auto", choices=XLA_CHOICES,
                   help="XLA compilation of the train step (default auto: on where it works)")
    p.add_argument("--deterministic", action="store_true",
                   help="TensorFlow op determinism: the same seed gives the same bits")


class DevicesError(ValueError):
    """The devices asked for cannot be set up (bad value, or too late)."""


def parse_devices(devices):
    """Parse a `--devices` value.

    Args:
        devices: None (automatic), "cpu", "cpu:N", "gpu" or "gpu:N".

    Returns:
        (kind, count): kind is None, "cpu" or "gpu"; count is None for
        "all of them" / automatic.

    Raises:
        DevicesError: for anything else, or a count < 1.
    """
    if devices is None or devices == "auto":
        return None, None
    m = _DEVICES_RE.match(str(devices).strip().lower())
    if not m or (m.group(2) is not None and int(m.group(2)) < 1):
        raise DevicesError(
            "devices must be 'auto', 'cpu', 'cpu:N', 'gpu' or 'gpu:N' with N >= 1. "
            f"Received: devices={devices!r}"
        )
    return m.group(1), None if m.group(2) is None else int(m.group(2))


def cluster_from_env():
    """The cluster named by TF_CONFIG, as a dict, or None when there is none."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as e:
        raise DevicesError(f"TF_CONFIG is not valid JSON ({e}). Received: TF_CONFIG={raw!r}") from None
    cluster = config.get("cluster") or {}
    workers = sum(len(v) for v in cluster.values())
    return config if workers > 1 else None


def task():
    """(task type, index) of this process in the TF_CONFIG cluster; ("chief", 0) alone."""
    config = cluster_from_env()
    if config is None:
        return "chief", 0
    t = config.get("task") or {}
    return str(t.get("type", "worker")), int(t.get("index", 0))


def is_chief():
    """Whether this process is the one that writes files (run folder, checkpoints, logs).

    Read from TF_CONFIG, as `MultiWorkerMirroredStrategy` decides it: the
    task of type "chief", or worker 0 when the cluster names no chief;
    True without a cluster. Unlike asking `tf.distribute.get_strategy()`,
    this gives the same answer in and out of the strategy's scope (Keras
    runs callbacks outside it, where every worker looked like the chief).
    """
    config = cluster_from_env()
    if config is None:
        return True
    kind, index = task()
    if kind == "chief":
        return True
    return kind == "worker" and index == 0 and "chief" not in (config.get("cluster") or {})


def split_cpu(n):
    """Split the (first) physical CPU into `n` logical devices.

    Must run before TensorFlow initialises its devices (before the first op).

    Raises:
        DevicesError: if TensorFlow's devices are already initialised with a
            different configuration.
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == n:
        return
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError:
        have = len(tf.config.list_logical_devices("CPU"))
        raise DevicesError(
            f"devices='cpu:{n}' must be set before TensorFlow runs its first op "
            f"(it already initialised {have} CPU device(s)); call "
            "ganlab.training.strategy() first thing in the script. "
            f"Received: devices='cpu:{n}'"
        ) from None


def strategy(devices=None):
    """The `tf.distribute.Strategy` to build and train models under.

    Args:
        devices: None or "auto" (TF_CONFIG cluster -> MultiWorkerMirrored;
            2+ GPUs -> Mirrored over them; else one device), "cpu" (one CPU
            device), "cpu:N" (N logical CPU devices, mirrored), "gpu" (all
            GPUs) or "gpu:N" (the first N GPUs).

    Returns:
        A `tf.distribute.Strategy`; `num_replicas_in_sync` is the number of
        replicas the global batch is split over.

    Raises:
        DevicesError (a ValueError): for a malformed value, more GPUs than
            there are, or "cpu:N" asked for after TensorFlow started.

    Example:
        >>> s = strategy("cpu")
        >>> s.num_replicas_in_sync
        1
    """
    kind, count = parse_devices(devices)
    if kind is None and cluster_from_env() is not None:
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "cpu":
        if count is None or count == 1:
            return tf.distribute.OneDeviceStrategy("/cpu:0")
        split_cpu(count)
        return tf.distribute.MirroredStrategy(
            [f"/cpu:{i}" for i in range(count)],
            cross_device_ops=tf.distribute.ReductionToOneDevice(),
        )
    gpus = tf.config.list_logical_devices("GPU")
    if kind == "gpu":
        if not gpus:
            raise DevicesError(f"No GPU is visible. Received: devices={devices!r}")
        if count is not None and count > len(gpus):
            raise DevicesError(
                f"Only {len(gpus)} GPU(s) are visible. Received: devices={devices!r}"
            )
        chosen = gpus if count is None else gpus[:count]
        if len(chosen) == 1:
            return tf.distribute.OneDeviceStrategy(chosen[0].name)
        return tf.distribute.MirroredStrategy([g.name for g in chosen])
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


_PUBLIC_NAMES = {"CollectiveAllReduceStrategy": "MultiWorkerMirroredStrategy"}


def describe(s):
    """A short description of a strategy, for config.json and logs."""
    try:
        devices = list(s.extended.worker_devices)
    except RuntimeError:  # the default strategy has none to list
        devices = [d.name for d in tf.config.list_logical_devices()[:1]]
    return {
        # TF's class behind tf.distribute.MultiWorkerMirroredStrategy is
        # CollectiveAllReduceStrategy; record the public name users type.
        "strategy": _PUBLIC_NAMES.get(type(s).__name__, type(s).__name__),
        "replicas": int(s.num_replicas_in_sync),
        "device_names": [str(d) for d in devices],
    }


def check_batch_size(batch_size, s, name="batch_size"):
    """Raise if the global batch cannot be split evenly over the replicas.

    Raises:
        ValueError: if `batch_size` is not a positive multiple of the
            number of replicas.
    """
    replicas = s.num_replicas_in_sync
    if batch_size < 1 or batch_size % replicas:
        raise ValueError(
            f"{name} must be a positive multiple of the number of replicas "
            f"({replicas}). Received: {name}={batch_size}"
        )


# --------------------------------------------------------------- precision
def set_precision(precision="float32"):
    """Set the global Keras dtype policy (mixed precision or not).

    Call it before building the networks. Networks' output layers and all
    losses stay float32.

    Args:
        precision: "float32", "mixed_float16" (GPUs with tensor cores) or
            "mixed_bfloat16" (TPUs, recent CPUs and GPUs).

    Raises:
        ValueError: for another value.
    """
    if precision not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {PRECISIONS}. Received: precision={precision!r}"
        )
    keras.config.set_dtype_policy(precision)
    return precision


def wrap_optimizer(optimizer, precision=None):
    """Wrap an optimizer in a `LossScaleOptimizer` when the policy is mixed_float16.

    float16 gradients underflow; the loss scale multiplies the loss before
    differentiation and divides the gradients after (`GANBase.apply_step`
    does both through the optimizer), skipping steps whose gradients
    overflow. bfloat16 has float32's range and needs no scaling.

    Args:
        optimizer: a `keras.optimizers.Optimizer`.
        precision: the policy name; the global policy when None.

    Returns:
        The optimizer, wrapped if needed.
    """
    if precision is None:
        precision = keras.config.dtype_policy().name
    if precision == "mixed_float16" and not isinstance(
        optimizer, keras.optimizers.LossScaleOptimizer
    ):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


# --------------------------------------------------------------------- XLA
def resolve_xla(xla, s=None):
    """Decide whether to compile train steps with XLA.

    Args:
        xla: "on", "off" or "auto". "auto" is on where there are GPUs and
            off on CPUs: on a 2-core CPU XLA was slower in 3 of 4
            configurations of benchmarks/distribute.py (lab 01's model: 10
            vs 44 steps/s), and with several CPU replicas TF 2.21's XLA
            fails at graph execution.
        s: the strategy (the current one when None).

    Returns:
        bool, the `jit_compile` to pass to `compile`.

    Raises:
        ValueError: for another value, or "on" where XLA cannot work.
    """
    if xla not in XLA_CHOICES:
        raise ValueError(f"xla must be one of {XLA_CHOICES}. Received: xla={xla!r}")
    s = s or tf.distribute.get_strategy()
    cpu_mirrored = s.num_replicas_in_sync > 1 and not tf.config.list_logical_devices("GPU")
    if xla == "auto":
        return bool(tf.config.list_logical_devices("GPU"))
    if xla == "on" and cpu_mirrored:
        raise ValueError(
            "xla='on' does not work with several replicas on CPU devices in "
            "TensorFlow 2.21 (it fails at graph execution); use xla='auto' or 'off'. "
            "Received: xla='on'"
        )
    return xla == "on"


# ------------------------------------------------------------- determinism
def set_deterministic(enabled=True):
    """Turn on TensorFlow's op determinism (same seed -> same bits).

    Some ops are slower and a few have no deterministic kernel (they then
    raise at run time). Cannot be turned off again in the same process.
    """
    if enabled:
        tf.config.experimental.enable_op_determinism()
    return bool(enabled)


# ----------------------------------------------------------------- runtime
class Runtime:
    """What `--devices`, `--precision`, `--xla` and `--deterministic` resolve to.

    Create it first thing (before any TensorFlow op: logical CPU devices
    can only be set up then), then build each model with `build(make_model)`:
    in the strategy's `scope()`, then `prepare`d.

    Args:
        devices: see `strategy`.
        precision: see `set_precision`.
        xla: "auto", "on" or "off" (see `resolve_xla`).
        deterministic: turn on op determinism.

    Raises:
        ValueError: for any bad value (see the functions above).

    Example:
        >>> rt = Runtime("cpu", "float32", "off")
        >>> rt.config()["xla"]
        False
    """

    def __init__(self, devices=None, precision="float32", xla="auto", deterministic=False):
        if precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {PRECISIONS}. Received: precision={precision!r}"
            )
        if xla not in XLA_CHOICES:
            raise ValueError(f"xla must be one of {XLA_CHOICES}. Received: xla={xla!r}")
        self.devices = devices
        self.strategy = strategy(devices)
        self.precision = set_precision(precision)
        self.deterministic = set_deterministic(deterministic)
        self.xla_choice = xla
        self.jit_compile = resolve_xla(xla, self.strategy)

    @property
    def replicas(self):
        return self.strategy.num_replicas_in_sync

    def scope(self):
        return self.strategy.scope()

    def build(self, make_model):
        """Build a model for this runtime: `make_model()` (which builds and
        compiles it) runs in the strategy's scope, then the model is `prepare`d.

        Returns:
            The prepared model.
        """
        with self.scope():
            model = make_model()
        return self.prepare(model)

    def prepare(self, model):
        """Wrap the model's optimizers for the precision and set its XLA choice.

        Under mixed_float16 each optimizer attribute of the model becomes a
        `LossScaleOptimizer` (built at once: optimizer variables must exist
        before the first replica step).

        Returns:
            The model.
        """
        with self.strategy.scope():
            nets = {id(opt): net for opt, net in model.optimizer_pairs()}
            for name, value in list(vars(model).items()):
                if isinstance(value, keras.optimizers.Optimizer) and id(value) in nets:
                    wrapped = wrap_optimizer(value, self.precision)
                    if wrapped is not value:
                        wrapped.build(nets[id(value)].trainable_variables)
                        setattr(model, name, wrapped)
        model.jit_compile = self.jit_compile
        if isinstance(self.strategy, tf.distribute.MultiWorkerMirroredStrategy):
            # Several steps per execution put the optimizers' conditional
            # updates inside a while loop, where collective all-reduces fail
            # in TF 2.21 ("You must feed a value for placeholder tensor").
            model.steps_per_execution = 1
        return model

    @property
    def fits_together(self):
        """Whether independent models may train at once, in threads (`fit_together`).

        Only with one replica: under a mirrored strategy each model's steps
        run collective all-reduces, and two models launching theirs at once
        can interleave them differently on each device (with NCCL, a hang).
        """
        return self.replicas == 1

    def check_batch_size(self, batch_size, name="batch_size"):
        check_batch_size(batch_size, self.strategy, name)

    @property
    def is_chief(self):
        """Whether this process writes the run's files (see `is_chief`)."""
        return is_chief()

    def config(self):
        """The facts config.json records: devices, strategy, precision, XLA, determinism."""
        kind, index = task()
        return {
            "devices": self.devices or "auto",
            **describe(self.strategy),
            "written_by": f"{kind} {index}",
            "precision": self.precision,
            "xla_option": self.xla_choice,
            "xla": bool(self.jit_compile),
            "deterministic": self.deterministic,
        }
