"""Learning-rate schedules the papers' training procedures name."""

import keras
from keras import ops


@keras.saving.register_keras_serializable("ganlab")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A constant rate, then a linear decay that reaches exactly 0 at the last step.

    CycleGAN (Zhu 2017, Section 4): "We keep the same learning rate for the
    first 100 epochs and linearly decay the rate to zero over the next 100
    epochs." The reference code's per-epoch rule (`lr_policy="linear"`)
    stops one step short of zero (1 / (n_epochs_decay + 1) of the rate in
    its last epoch); here the decay is per step and the last step,
    `total_steps - 1`, uses a rate of exactly 0:

        lr(t) = base                                           t <  decay_start
        lr(t) = base * (total_steps - 1 - t) / (total_steps - 1 - decay_start)
                                                               t >= decay_start

    Args:
        base: the rate of the constant part (2e-4 in CycleGAN).
        total_steps: optimizer steps of the whole run.
        decay_start: the first step of the decay; by default half of the
            steps (the paper's 100 of 200 epochs).

    Raises:
        ValueError: for a base <= 0, fewer than 2 steps, or a decay start
            outside [0, total_steps - 1).

    Example:
        >>> s = ConstantThenLinearDecay(2e-4, 201)
        >>> [round(float(s(t)), 8) for t in (0, 99, 100, 150, 200)]
        [0.0002, 0.0002, 0.0002, 0.0001, 0.0]
    """

    def __init__(self, base, total_steps, decay_start=None):
        if not base > 0:
            raise ValueError(f"base must be > 0. Received: base={base!r}")
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 2:
            raise ValueError(
                f"total_steps must be an integer >= 2. Received: total_steps={total_steps!r}")
        if decay_start is None:
            decay_start = total_steps // 2
        if not (isinstance(decay_start, int) and 0 <= decay_start < total_steps - 1):
            raise ValueError(
                f"decay_start must be an integer in [0, {total_steps - 1}) for "
                f"total_steps={total_steps}. Received: decay_start={decay_start!r}"
            )
        self.base = float(base)
        self.total_steps = total_steps
        self.decay_start = decay_start

    def __call__(self, step):
        step = ops.cast(step, "float32")
        last = float(self.total_steps - 1)
        fraction = (last - step) / (last - float(self.decay_start))
        return self.base * ops.clip(fraction, 0.0, 1.0)

    def get_config(self):
        return {"base": self.base, "total_steps": self.total_steps,
                "decay_start": self.decay_start}
