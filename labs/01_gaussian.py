"""Lab 01 - a GAN learns a 1D Gaussian (Goodfellow 2014, Algorithm 1).

G maps noise z ~ N(0, I) (8 dimensions) to numbers that should follow N(mu, sigma^2); D, a
small MLP, tells them from data. Each iteration takes k D-steps, then one
G-step. The lab trains three GANs from the same seed and shows them side by
side (comparison.png, TensorBoard runs tb/stabilised, tb/minimax, tb/plain):

* stabilised - non-saturating G loss plus the three stabilisers of
  `ganlab.recipes.toy` (minibatch discrimination, learning-rate decay,
  an average of G's weights). This is the graded model.
* plain      - non-saturating, none of the stabilisers: watch the variance
  collapse and the oscillation around mu.
* minimax    - plain, but G descends log(1 - D(G(z))), the slide's
  equation. saturation.png shows its weakness: its gradient is D(G(z)),
  near zero whenever D confidently rejects the samples. Compare its early
  epochs with plain's in TensorBoard; how much it suffers depends on how
  fast D becomes confident (with these small nets and seed 0 it still
  learns).

samples.png is the picture from the blog the slides link to: data density,
G's density, and D(x) over x; progress.gif shows it through training.

Grading bar (recomputed by the grader from generator.keras, 10,000 samples,
fixed seed): W1 < 0.1 sigma, |mean - mu| < 0.1 sigma and
|std - sigma| < 0.2 sigma; it held for seeds 0-4. With --quick on an idle
2-core CPU: 18.9 / 18.5 / 18.3 s for seeds 0 / 1 / 2 (load 0.4-1.4,
TensorFlow's start included; W1 0.066 / 0.053 / 0.056 sigma). With the three
GANs training at once (`fit_together`) the figures are the same, and on
2026-12-03, a slower day of the host, 24.3 / 29.3 / 23.6 s against 26.7 /
28.9 / 24.3 s one after the other (benchmarks/results/labs_against_b49bcbd.md).

    python labs/01_gaussian.py --quick
"""

from ganlab import grading
from ganlab.data import gaussian_1d
from ganlab.recipes import toy
from ganlab.training import lab

LATENT_DIM = 8


def main(args):
    real = gaussian_1d(100_000, args.mu, args.sigma, seed=args.seed)
    steps_per_epoch = 600 if args.quick else 1500
    with lab.run_folder(args, "01_gaussian") as run:
        run.write_config(vars(args), latent={"dim": LATENT_DIM, "distribution": "normal"},
                         steps_per_epoch=steps_per_epoch)
        results = toy.learn_gaussian(run, real, args.mu, args.sigma, args.loss, args.k,
                                     args.batch_size, args.epochs, steps_per_epoch, LATENT_DIM,
                                     args.seed, lab.runtime())
        results["grade"] = grading.grade_lab01(run.path)  # against N(4, 0.5^2), whatever --mu
        run.write_metrics(results)
    g = results["grade"]  # the grader's figures: 10,000 samples, fixed seed
    print(f"run folder: {run.final}")
    if "w1" in g:
        print(f"mean {g['mean']:.3f} (target {args.mu}), std {g['std']:.3f} "
              f"(target {args.sigma}), W1 {g['w1']:.4f} ({g['w1_over_sigma']:.3f} sigma)")
    print(grading.verdict_line(g))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=20, quick_epochs=10)
    target = grading.gaussian.TARGET  # the bar is defined for these
    p.add_argument("--mu", type=float, default=target["mu"],
                   help=f"mean of the target (default {target['mu']:g}; the bar needs it)")
    p.add_argument("--sigma", type=float, default=target["sigma"],
                   help=f"stddev of the target, > 0 (default {target['sigma']:g}; the bar needs it)")
    p.add_argument("--k", type=int, default=1, help="D steps per G step (default 1)")
    p.add_argument("--loss", default="non_saturating", help="non_saturating or minimax")
    p.add_argument("--batch-size", type=int, default=64, help="minibatch size m (default 64)")
    lab.run(main, p)
