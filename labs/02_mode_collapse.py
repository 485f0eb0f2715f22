"""Lab 02 - mode collapse on 2D mixtures of Gaussians (Metz 2016; Srivastava 2017).

The data are a ring of 8 Gaussians (radius 2, stddev 0.02, as in the unrolled
GAN paper) and a 5x5 grid of 25 (spacing 2, stddev 0.05, as in VEEGAN). The
same GAN is trained from one seed in two configurations:

* plain     - non-saturating GAN of two MLPs: watch the TensorBoard images
  and the modes-covered curve hop from mode to mode early in training;
* minibatch - the same with minibatch discrimination (Salimans 2016, the
  remedy for collapse: D compares samples within a minibatch) and a
  learning-rate decay (`ganlab.recipes.toy`).

Figures, per epoch in TensorBoard, modes.png and metrics.json: modes
covered (a mode counts when at least a quarter of its fair share of samples
lands within 3 stddev of it) and the share of high-quality samples (within
3 stddev of some mode).

Grading bar, on the minibatch model on the ring (generator.keras, 10,000
samples, fixed seed): at least 7 of 8 modes covered and at least 70%
high-quality samples. With --quick on a 2-core CPU: 31-34 s (2026-12-03,
the two models training at once; benchmarks/results/labs_against_b49bcbd.md),
48-82 s at load 11 on an earlier day. Measured with --quick, seeds 0/1/2/3/4: 8/8 modes on
every seed, high quality 0.831/0.837/0.815/0.836/0.828. Before minibatch
discrimination averaged its features over the minibatch (the plain sum
saturated D's first logits), seeds 2 and 4 stayed at 0 of 8 modes.

    python labs/02_mode_collapse.py --quick
"""

from ganlab import grading
from ganlab.data import mixture_2d
from ganlab.recipes import toy
from ganlab.training import lab


def main(args):
    mixtures = {"ring": mixture_2d("ring", radius=args.radius, std=args.std)}
    if not args.quick:
        mixtures["grid"] = mixture_2d("grid")
    steps_per_epoch = 500 if args.quick else 2000
    with lab.run_folder(args, "02_mode_collapse") as run:
        ring = mixtures["ring"]
        run.write_config(vars(args), latent={"dim": args.latent_dim, "distribution": "normal"},
                         mixture={"name": "ring", "num_modes": ring.num_modes,
                                  "radius": args.radius, "std": args.std},
                         steps_per_epoch=steps_per_epoch)
        results = toy.compare_on_mixtures(run, mixtures, args.batch_size, args.epochs,
                                          steps_per_epoch, args.latent_dim, args.seed,
                                          lab.runtime())
        results["grade"] = grading.grade_lab02(run.path)  # on the lab's ring, whatever --std
        run.write_metrics(results)
    for name, r in results.items():
        if name != "grade":
            print(f"{name:16s} modes {r['modes_covered']}/{r['num_modes']}, "
                  f"high quality {r['high_quality']:.0%}")
    print(f"run folder: {run.final}")
    print(grading.verdict_line(results["grade"]))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=20, quick_epochs=8)
    target = grading.mode_collapse.TARGET  # the bar is defined for these
    p.add_argument("--radius", type=float, default=target["radius"],
                   help=f"ring radius (default {target['radius']:g}; the bar needs it)")
    p.add_argument("--std", type=float, default=target["std"],
                   help=f"stddev of each ring mode (default {target['std']:g}; the bar needs it)")
    p.add_argument("--latent-dim", type=int, default=4, help="dimension of z (default 4)")
    p.add_argument("--batch-size", type=int, default=128, help="minibatch size (default 128)")
    lab.run(main, p)
