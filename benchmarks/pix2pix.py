"""Throughput and peak memory of the pix2pix train step (Pix2Pix + U-Net + PatchGAN).

Configurations (issue 14): 64x64 with width 64 (U-Net ngf = PatchGAN ndf =
64, the 70x70 PatchGAN, n_layers = 3), batch 1 and 16; and the reference
256x256 nets (`unet_256`, 54.4M parameters; the 70x70 PatchGAN, 2.8M), batch
1 as in the paper. RGB to RGB. Each configuration runs in a fresh
subprocess (`benchmarks/_harness.py`): warm-up steps (tracing), then
`--steps` timed train steps on a fixed pair of random batches held on the
device. Peak memory is the subprocess's maximum resident set size.

Prints a Markdown table and writes it to benchmarks/results/pix2pix.md.

    python benchmarks/pix2pix.py              # the 3 configurations
    python benchmarks/pix2pix.py --steps 10
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "pix2pix.md"
CONFIGS = [["64x64", 1], ["64x64", 16], ["256x256", 1]]


def measure(image, batch, steps, warmup):
    """Run in the subprocess: time `steps` train steps, return a dict."""
    import keras
    import tensorflow as tf

    import ganlab
    from ganlab.models import Pix2Pix
    from ganlab.nets import patchgan_discriminator, unet_generator

    size = int(image.split("x")[0])
    ganlab.seed(0)
    model = Pix2Pix(unet_generator(size, 3, 3, ngf=64, seed=0),
                    patchgan_discriminator(size, 6, n_layers=3, ndf=64), seed=0)
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    x = tf.random.uniform((batch, size, size, 3), -1.0, 1.0)
    y = tf.random.uniform((batch, size, size, 3), -1.0, 1.0)
    return _harness.time_fit(model, tf.data.Dataset.from_tensors((x, y)).repeat(), batch, steps, warmup)


if __name__ == "__main__":
    _harness.main(
        __file__, __doc__, CONFIGS, ["image", "batch"], measure, RESULTS,
        "pix2pix train step: throughput and peak memory",
        "One step = G(x) once, one D update on (x, y) and (x, G(x)), one G update "
        "(non-saturating + 100 L1); U-Net ngf 64 and 70x70 PatchGAN ndf 64, RGB to RGB, "
        "XLA off. Images/s counts the pairs of the batch per second. Peak memory: max RSS "
        "of the measuring process (MB).")
