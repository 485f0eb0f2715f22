"""Throughput and peak memory of the SRResNet and SRGAN train steps (Ledig 2017's nets).

Configurations (issue 16): the paper's nets, x4, 24x24 LR -> 96x96 HR,
batch 16: stage 1, SRResNet (16 blocks, 64 filters, 1.55M parameters; pixel
MSE, G alone), and stage 2, SRGAN (the same G and the 23.6M-parameter
discriminator at 96x96; content MSE + 1e-3 adversarial, one D and one G
update), with the MSE content loss (SRGAN-MSE: the VGG19 weights are not on
this machine; the VGG54 loss adds VGG19's forward and backward passes on
both images). Each configuration runs in a fresh subprocess
(`benchmarks/_harness.py`): warm-up steps (tracing), then `--steps` timed
train steps on a fixed batch held on the device. Peak memory is the
subprocess's maximum resident set size.

Prints a Markdown table and writes it to benchmarks/results/srgan.md.

    python benchmarks/srgan.py              # SRResNet and SRGAN
    python benchmarks/srgan.py --steps 10
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "srgan.md"
CONFIGS = [["SRResNet", "24x24 -> 96x96", 16], ["SRGAN", "24x24 -> 96x96", 16]]


def measure(stage, images, batch, steps, warmup):
    """Run in the subprocess: time `steps` train steps of one stage, return a dict."""
    import keras
    import tensorflow as tf

    import ganlab
    from ganlab.models import SRGAN
    from ganlab.nets import srgan_discriminator, srresnet_generator

    ganlab.seed(0)
    g = srresnet_generator(16, 4, 64)
    if stage == "SRResNet":
        model = SRGAN(g, seed=0)
        model.compile(keras.optimizers.Adam(1e-4))
    else:
        model = SRGAN(g, srgan_discriminator(96), seed=0)
        model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    hr = tf.random.uniform((batch, 96, 96, 3), -1.0, 1.0)
    lr = tf.image.resize(hr, (24, 24), "bicubic", antialias=True)
    return _harness.time_fit(model, tf.data.Dataset.from_tensors((lr, hr)).repeat(), batch, steps,
                             warmup)


if __name__ == "__main__":
    _harness.main(
        __file__, __doc__, CONFIGS, ["stage", "images", "batch"], measure, RESULTS,
        "SRResNet / SRGAN train step: throughput and peak memory",
        "SRResNet step = G(LR), one G update on the pixel MSE; SRGAN step = G(LR) once, one D "
        "update on HR and G(LR), one G update (MSE + 1e-3 non-saturating); 16 blocks, 64 "
        "filters, D 64-512 + dense 1024 at 96x96, Adam 1e-4, XLA off. Images/s counts the LR/HR "
        "pairs of the batch per second. Peak memory: max RSS of the measuring process (MB).")
