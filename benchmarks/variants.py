"""What benchmarks/run.py measures: every ganlab variant at its lab's size, some at the paper's.

Each builder takes the scale ("lab": the embedded lab's `--quick` nets and
batch; "paper": the paper's nets and batch, where this machine can run them
at all) and returns a `Case`: the compiled model (built by the caller inside
the runtime's strategy scope), an endless dataset of one fixed batch held in
memory (so the train step, not the input pipeline, is timed), the number of
training images per step, and, where the lab reads embedded data, the lab's
own input pipeline (timed on its own by run.py).

The toy GANs are lab 05's ring models (MLPs of 3 x 128 units, batch 256):
`gan` (Adam, k = 1), `wgan` (RMSProp, n_critic 5, clipping) and `wgan_gp`
(Adam, n_critic 5, gradient penalty). Their reference is `references.bare_loop`;
`keras_io` is ganlab's GAN on keras-io's own nets, with keras-io's
train step as its reference.
"""

import dataclasses

import numpy as np
import tensorflow as tf


@dataclasses.dataclass
class Case:
    model: object
    data: object
    images_per_step: int
    notes: str = ""


def _fixed(*tensors):
    return tf.data.Dataset.from_tensors(tensors if len(tensors) > 1 else tensors[0]).repeat()


def _images(n, size, channels, seed=0):
    return tf.random.stateless_uniform((n, size, size, channels), (seed, 1), -1.0, 1.0)


def digits_pipeline(size=16, batch=64):
    """Labs 03, 05 and 06's input: the embedded digits, shuffled and batched, endless."""
    from ganlab.data import load_images

    return load_images("digits", image_size=size, batch_size=batch, seed=0).repeat()


def ring_pipeline(batch=256):
    """Labs 02 and 05's input: samples of the ring of 8 Gaussians, shuffled and batched."""
    from ganlab.data import toy_dataset
    from ganlab.data.toy import ring_of_gaussians

    return toy_dataset(ring_of_gaussians().sample(100_000, seed=0), batch, seed=0)


def toy(kind):
    def build(scale, batch=256):
        from ganlab.recipes import wasserstein

        model = wasserstein.ring_model(kind, total_steps=3000)
        first = next(iter(ring_pipeline(batch * model.d_steps)))
        return Case(model, _fixed(first), batch,
                    f"lab 05 ring, MLP 3x128, batch {batch}, k = {model.d_steps}")
    return build


def lab01(scale, batch=64):
    from ganlab.data import gaussian_1d, toy_dataset
    from ganlab.recipes import toy as recipe

    model = recipe.toy_gan(1, "stabilised", total_steps=6000)
    first = next(iter(toy_dataset(gaussian_1d(100_000, 4.0, 0.5, seed=0), batch, seed=0)))
    return Case(model, _fixed(first), batch,
                "lab 01's graded GAN: MLPs of 64, minibatch discrimination, G's weights "
                f"averaged, batch {batch}")


def keras_io(scale, batch=64):
    import keras
    from references import keras_io_nets

    from ganlab.models import GAN

    g, d = keras_io_nets()
    model = GAN(g, d, seed=0)
    model.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4))
    return Case(model, _fixed(_images(batch, 28, 1)), batch,
                f"keras-io's 28x28 nets, batch {batch}")


def dcgan(scale, batch=64):
    from ganlab.recipes import dcgan as recipe

    if scale == "paper":  # Radford 2016: 64x64x3, 128 filters... ganlab's width 64 net, batch 128
        model = recipe.dcgan_gan(100, 64, 3, width=64, ema=0.0, translation=0)
        return Case(model, _fixed(_images(128, 64, 3)), 128, "64x64x3, width 64, batch 128")
    model = recipe.dcgan_gan(4, 16, 1, width=64)
    return Case(model, _fixed(_images(batch, 16, 1)), batch,
                "lab 03: digits 16x16, width 64, z 4, batch 64")


def wgan_gp_digits(scale, batch=64):
    from ganlab.recipes import wasserstein

    model = wasserstein.image_model("wgan_gp", image_size=16)
    x = _images(batch * model.d_steps, 16, 1)
    return Case(model, _fixed(x), batch, "lab 05 digits: 16x16, width 32, n_critic 5")


def cgan(scale, batch=64):
    from ganlab.recipes import conditional

    model = conditional.conditional_gan(10, 32, 16, 1, width=32)
    y = tf.range(batch) % 10
    return Case(model, _fixed(_images(batch, 16, 1), y), batch,
                "lab 06: digits 16x16, width 32, batch 64")


def pix2pix(scale, batch=16):
    from ganlab.recipes import pix2pix as recipe

    if scale == "paper":  # Isola 2017: 256x256, ngf = ndf = 64, batch 1
        model = recipe.pix2pix_model(256, 3, 3, ngf=64, ndf=64, norm="batch")
        return Case(model, _fixed(_images(1, 256, 3), _images(1, 256, 3, 1)), 1,
                    "256x256, ngf 64, batch 1")
    model = recipe.pix2pix_model(32, 1, 3, ngf=16, ndf=16, norm="instance")
    return Case(model, _fixed(_images(batch, 32, 1), _images(batch, 32, 3, 1)), batch,
                "lab 07 --quick: 32x32 gray -> RGB, ngf 16, batch 16")


def cyclegan(scale, batch=4):
    from ganlab.recipes import cyclegan as recipe

    if scale == "paper":  # Zhu 2017: 256x256, ngf 64, 9 blocks, batch 1
        model = recipe.cyclegan_model(256, ngf=64, n_blocks=9)
        return Case(model, _fixed(_images(1, 256, 3), _images(1, 256, 3, 1)), 1,
                    "256x256, ngf 64, 9 blocks, batch 1")
    model = recipe.cyclegan_model(32, ngf=16, n_blocks=3)
    return Case(model, _fixed(_images(batch, 32, 3), _images(batch, 32, 3, 1)), batch,
                "lab 08 --quick: 32x32, ngf 16, 3 blocks, batch 4")


def srgan(scale, batch=16):
    from ganlab.recipes import srgan as recipe

    if scale == "paper":  # Ledig 2017: 16 blocks of 64, 96x96 HR, batch 16
        g = recipe.srresnet_model(16, 4, 64)
        model = recipe.srgan_model(g.generator, 96, d_filters=64, dense=1024)
        hr = _images(batch, 96, 3)
    else:
        g = recipe.srresnet_model(4, 4, 32, lr=1e-3, bicubic_skip=True)
        model = recipe.srgan_model(g.generator, 64, d_filters=16, dense=128)
        hr = _images(batch, 64, 3)
    size = hr.shape[1]
    lr = tf.image.resize(hr, (size // 4, size // 4), "bicubic", antialias=True)
    return Case(model, _fixed(lr, hr), batch,
                f"{'paper' if scale == 'paper' else 'lab 09 --quick'}: x4 to {size}x{size}, "
                f"batch {batch}")


def stylegan(scale, batch=32):
    from ganlab.recipes import stylegan as recipe

    model = recipe.stylegan_gan(32, 8, 32, 1)
    return Case(model, _fixed(_images(batch, 32, 1)), batch,
                "lab 12: 32x32, w 32, mapping 8, batch 32 (R1 every step)")


def progan(scale, batch=16):
    from ganlab.recipes import progan as recipe

    model = recipe.progan_gan(32, 32, 1)
    last = len(model.generator.resolutions) - 1
    model.set_phase(last, fade_steps=10_000)  # the largest graph: 32x32, the new block fading in
    return Case(model, _fixed(_images(batch, 32, 1)), batch,
                "lab 12's ProGAN: 32x32, last phase while fading in, batch 16")


def lapgan(scale, batch=64):
    from ganlab.recipes import lapgan_text as recipe

    model = recipe.lapgan_model(steps_per_execution=20)
    return Case(model, _fixed(_images(batch, 16, 1)), batch,
                "lab 13's LAPGAN: fully connected 8x8 level, one residual level to 16x16 of width "
                "16, batch 64 (both levels train each step)")


def gancls(scale, batch=64):
    from ganlab.recipes import lapgan_text as recipe

    text_dim = 32  # the committed text encoder's phi(t)
    model = recipe.gancls_model(text_dim, steps_per_execution=20)
    texts = tf.random.stateless_normal((batch, text_dim), (0, 2))
    return Case(model, _fixed(_images(batch, 16, 1), texts), batch,
                "lab 13's GAN-CLS + GAN-INT: DCGAN nets of 32 filters at 16x16, Reed's D, "
                "batch 64")


VARIANTS = {
    "lab01": lab01,
    "gan": toy("gan"),
    "wgan": toy("wgan"),
    "wgan_gp": toy("wgan_gp"),
    "keras_io": keras_io,
    "dcgan": dcgan,
    "wgan_gp_digits": wgan_gp_digits,
    "cgan": cgan,
    "pix2pix": pix2pix,
    "cyclegan": cyclegan,
    "srgan": srgan,
    "stylegan": stylegan,
    "progan": progan,
    "lapgan": lapgan,
    "gancls": gancls,
}
"""Variant name -> builder(scale, batch=...) -> Case."""

PIPELINES = {"ring (labs 02, 05), batch 256": ring_pipeline,
             "digits 16x16 (labs 03, 05, 06), batch 64": digits_pipeline}
"""The labs' own input pipelines, timed alone."""

PAPER_SCALE = ("dcgan", "pix2pix", "cyclegan", "srgan")
"""Variants also measured at the paper's size (StyleGAN's 1024x1024 is out of a CPU's reach)."""

TOY = ("lab01", "gan", "wgan", "wgan_gp")


def seed_everything():
    import ganlab

    ganlab.seed(0)
    np.random.seed(0)
