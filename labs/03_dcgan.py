"""Lab 03 - DCGAN: a convolutional GAN draws digits; walk its latent space (Radford 2016).

The GAN of lab 01 (Algorithm 1, non-saturating G loss) with the DCGAN nets
(strided convolutions, batchnorm, ReLU/tanh in G, LeakyReLU in D), width 64,
Adam(2e-4, beta_1=0.5), on the embedded `digits` (1,437 images, 16x16);
`--dataset faces|mnist|fashion_mnist|cifar10|celeb_a` switches (TFDS ones
need the internet once). z has 4 dimensions (Radford used 100): on so few
digits a larger z leaves about half the samples between two digits.
In runs/03_dcgan/ you see:

* samples.png, progress.gif, grids/ and TensorBoard (tb/, "samples"): the
  same 64 z each epoch, turning from noise into digits;
* interpolation_linear.png / interpolation_slerp.png: G along straight and
  spherical paths between pairs of z (smooth: G learnt a space, not a table);
* arithmetic.png (digits): per row, the mean z of bold a, thin a, thin b
  (judged digits), then G(bold a - thin a + thin b) and three noisy copies.

Bar (digits; recomputed by the grader from generator.keras with the judge,
1,000 samples, fixed seed): >= 70% of samples judged with confidence > 0.9,
every class >= 4% of samples, judge-feature Frechet distance < half an
untrained generator's, <= 10% copies of training images. --quick: about
2-3 minutes on an idle 2-core CPU.

    python labs/03_dcgan.py --quick
"""

from ganlab import grading  # first: importing ganlab silences TensorFlow's start-up noise

import keras
import numpy as np

from ganlab.data import load_images
from ganlab.models import GAN
from ganlab.nets import dcgan_discriminator, dcgan_generator, judge_predict, load_judge
from ganlab.training import figures, lab, samples
from ganlab.training.callbacks import fit_logged
from ganlab.training.runfolder import RunFolder


def main(args):
    data = load_images(args.dataset, "train", args.image_size, args.batch_size, args.seed)
    steps = int(data.cardinality()) if int(data.cardinality()) > 0 else 500
    _, size, _, channels = next(iter(data)).shape
    gan = GAN(dcgan_generator(args.latent_dim, size, channels, args.width),
              dcgan_discriminator(size, channels, args.width), seed=args.seed)
    gan.compile(*(keras.optimizers.Adam(args.lr, beta_1=0.5) for _ in "GD"))
    rng = np.random.default_rng(args.seed)
    with RunFolder(args.out, "03_dcgan") as run:
        run.write_config(vars(args), latent={"dim": args.latent_dim, "distribution": "normal"},
                         image_size=size, channels=channels, steps_per_epoch=steps)
        render = samples.sample_grid_renderer(rng.standard_normal((64, args.latent_dim)), 8,
                                              folder=run.file("grids"))
        fit_logged(gan, data.repeat(), run.file("tb"), args.epochs, steps, render=render,
                   gif_path=run.file("progress.gif"), last_path=run.file("samples.png"))
        run.save_model(gan.generator, "generator.keras")
        run.save_model(gan.discriminator, "discriminator.keras")
        pairs = rng.standard_normal((4, 2, args.latent_dim))
        for method, grid in samples.interpolation_figure(gan.generator, pairs).items():
            figures.save_png(grid, run.file(f"interpolation_{method}.png"))
        metrics = {}
        if args.dataset == "digits":
            judge, z = load_judge(), rng.standard_normal((2000, args.latent_dim)).astype("float32")
            grid, rows = samples.digit_arithmetic_figure(
                gan.generator, z, judge_predict(judge, gan.generate(z=z)), seed=args.seed,
                classify=lambda x: judge_predict(judge, x))
            if grid is not None:
                figures.save_png(grid, run.file("arithmetic.png"))
            metrics["arithmetic"] = rows
            metrics["grade"] = grading.grade_digits(
                grading.latent_sampler(gan.generator, args.latent_dim),
                grading.latent_sampler(grading.untrained_like(gan.generator), args.latent_dim),
                judge=judge)
        run.write_metrics(metrics)
    print(f"run folder: {run.final}")
    if (g := metrics.get("grade")) is None:
        print(f"no grading bar for --dataset {args.dataset} (the judge knows only digits)")
        return
    print(f"confident {g['confident_share']:.3f}, rarest class {g['min_class_share']:.3f}, "
          f"Frechet {g['frechet_distance']:.2f} ({g['frechet_ratio']:.3f} of untrained), "
          f"copies {g['copy_share']:.3f}")
    print(lab.verdict(g))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=200, quick_epochs=100)
    p.add_argument("--dataset", default="digits",
                   help="digits (default), faces, mnist, fashion_mnist, cifar10 or celeb_a")
    p.add_argument("--image-size", type=int, default=None, help="image side (default: the dataset's)")
    p.add_argument("--latent-dim", type=int, default=4, help="dimension of z (default 4; see above)")
    p.add_argument("--width", type=int, default=64, help="base filters of G and D (default 64)")
    p.add_argument("--batch-size", type=int, default=64, help="minibatch size (default 64)")
    p.add_argument("--lr", type=float, default=2e-4, help="Adam learning rate (default 2e-4)")
    lab.run(main, p)
