"""Progressive growing (Karras 2018) on the embedded `digits`: 4x4 -> 8x8 -> 16x16 -> 32x32.

- `progan_gan`: the model, with the paper's optimiser (Adam(1e-3, beta_1=0,
  beta_2=0.99, epsilon=1e-8), Karras 2018, Appendix A.1).
- `train_progan`: one `fit` per phase, the new block fading in over the
  first half of each phase (the paper: fade over 800k images, then
  stabilise over 800k); a grid per phase and progress.gif, whose frames
  (every `frame_every` steps, all shown at the final side by pixel
  repetition) show the resolution growing and each fade-in.

Not wired into lab 12 (whose bar grades StyleGAN): no bar, no calibration.
"""

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlab.models import ProGAN
from ganlab.nets import ProgressiveDiscriminator, ProgressiveGenerator
from ganlab.nets.progan import upsample2x
from ganlab.training import figures


def progan_gan(latent_dim=32, image_size=32, channels=1, widths=None, lr=1e-3, seed=0):
    """A compiled `ProGAN` (lambda 10, epsilon_drift 0.001, n_critic 1; Karras 2018, App. A.1)."""
    gan = ProGAN(ProgressiveGenerator(latent_dim, image_size, channels, widths),
                 ProgressiveDiscriminator(image_size, channels, widths), seed=seed)
    adam = dict(beta_1=0.0, beta_2=0.99, epsilon=1e-8)
    gan.compile(keras.optimizers.Adam(lr, **adam), keras.optimizers.Adam(lr, **adam))
    return gan


def _at_final_side(images, side):
    while images.shape[1] < side:
        images = np.asarray(upsample2x(images))
    return images


class _Frames(keras.callbacks.Callback):
    """A grid of the fixed z every `every` steps (and at each phase's end)."""

    def __init__(self, z, side, every):
        super().__init__()
        self.z, self.side, self.every, self.frames = z, side, every, []

    def grid(self):
        return figures.image_grid(_at_final_side(self.model.generate(z=self.z), self.side), 4)

    def on_train_batch_end(self, batch, logs=None):
        if (batch + 1) % self.every == 0:
            self.frames.append(self.grid())


def train_progan(out_dir, gan, images, steps_per_phase, batch_size=16, frame_every=None, seed=0):
    """Grow `gan` through all its phases on `images`; write the grids and progress.gif.

    Args:
        out_dir: folder for grids/phase_K_RxR.png and progress.gif (created).
        gan: a compiled `ProGAN` (any phase; training starts at phase 0).
        images: (n, side, side, channels) in [-1, 1], side the final resolution.
        steps_per_phase: steps of each phase; the fade-in takes the first half.
        batch_size: global batch (a multiple of 4, the stddev's group).
        frame_every: steps between GIF frames (default: 4 frames per phase).
        seed: seed of the data order and the grid's z.

    Returns:
        dict: `resolutions` (one per phase), `frames` (GIF frames written) and
        the last step's `logs` of each phase.

    Raises:
        ValueError: for steps_per_phase < 2 or a batch size that is not a
            positive multiple of 4.
    """
    if isinstance(steps_per_phase, bool) or not isinstance(steps_per_phase, int) or (
            steps_per_phase < 2):
        raise ValueError(f"steps_per_phase must be an integer >= 2. "
                         f"Received: steps_per_phase={steps_per_phase!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 4 or (
            batch_size % 4):
        raise ValueError(f"batch_size must be a positive multiple of 4 (the minibatch stddev's "
                         f"group). Received: batch_size={batch_size!r}")
    out_dir = Path(out_dir)
    (out_dir / "grids").mkdir(parents=True, exist_ok=True)
    side = gan.generator.image_size
    z = np.random.default_rng(seed).standard_normal((16, gan.latent_dim)).astype("float32")
    frames = _Frames(z, side, frame_every or max(1, steps_per_phase // 4))
    data = (tf.data.Dataset.from_tensor_slices(np.asarray(images, "float32"))
            .shuffle(len(images), seed=seed).repeat().batch(batch_size, drop_remainder=True))
    logs = []
    for phase, r in enumerate(gan.generator.resolutions):
        gan.set_phase(phase, fade_steps=max(1, steps_per_phase // 2))
        history = gan.fit(data, epochs=1, steps_per_epoch=steps_per_phase, verbose=0,
                          callbacks=[frames])
        logs.append({k: float(v[-1]) for k, v in history.history.items()})
        figures.save_png(frames.grid(), out_dir / "grids" / f"phase_{phase}_{r}x{r}.png")
    figures.save_gif(frames.frames, out_dir / "progress.gif")
    return {"resolutions": list(gan.generator.resolutions), "frames": len(frames.frames),
            "logs": logs}
