"""Lab 11 - Evaluating GANs: Parzen window, Inception Score, FID, KID, precision/recall.

The lecture asks "how to evaluate if your GAN is working?" and answers with
three estimators, each with its weakness; this lab computes each one on the
generators of labs 03, 05 and 06 and shows how each can be fooled:

* the Parzen window (Goodfellow 2014, Table 1: mean test log-likelihood +-
  standard error, sigma chosen on a validation split from logspace(-1, 0,
  10)), "sensitive to hyperparameters": parzen.png shows it move with sigma
  and with the number of samples (lab 03's G, seed 0: validation LL 86 nats
  at sigma 0.1, 125 at 0.13, -242 at 1; test LL 106 +- 4 from 100 samples
  (sigma 0.17), 144 +- 5 from 10,000 (0.13)). It ranks the cheat (54) above an untrained G
  (-111) and below the trained G, but the training digits themselves score
  222 from only 1,437 kernels;
* the Inception Score (Salimans 2016), "how could a generator cheat it?":
  the cheat, one held-out digit per class repeated (cheat.png), scores about
  10, the number of classes, above real data, while FID (Heusel 2017), KID
  (Bińkowski 2018) and recall (Kynkäänniemi 2019) expose it;
* sample_count.png: each metric of lab 03's G against the number of
  samples, 100 to 10,000: FID is biased upwards with few samples (seed 0:
  10.4 at 100, 5.8 at 1,000, 5.5 at 10,000), KID is not (0.89-0.98); IS
  rises (5.3 to 7.7: each split's p(y) comes from n/10 samples) and
  recall falls (0.96 to 0.17: the k-NN balls shrink as G's samples
  crowd): compare figures made from the same number of samples only;
* table.md: every metric for held-out real digits (the ceiling), lab 03's
  and lab 06's G, an untrained G (the floor) and the cheat; and lab 05's 2D
  ring generator, where only the metrics of raw coordinates apply (Parzen,
  Fréchet, KID, P&R: IS needs a classifier).

Digits are measured with the judge (`ganlab.nets.judge`) in place of
InceptionV3: its numbers are not comparable with published FIDs (nor are
keras's InceptionV3's, see README "Metrics"). Run folders are read from
--runs (default: --out); a lab whose run is absent is trained first, with
the lab's own --quick (lab 05: a short WGAN-GP alone).

Grading bar (recomputed by the grader from the lab 03 generator the run
folder keeps, judge features, 360 samples per set, fixed seed): the cheating
set's IS is within 5% of the 10 classes (10,000 images), its recall below
0.2 and its Fréchet distance above the trained G's; the Fréchet distance,
KID, IS and recall each order held-out real > lab 03's G > untrained G, the
trained G's Fréchet distance below half the untrained one's; and the metrics
pass two closed forms: a Fréchet distance of two known Gaussians within 2%,
KID within 0.01 of 0 for two samples of one distribution.
Measured on lab 03's --quick runs of seeds 0 / 1 / 2 (all pass): the
cheat's IS 9.954 (0.5% from 10), recall 0.00, Fréchet 59.6 against the
trained G's 7.29 / 7.53 / 7.86; Fréchet ratio 0.029 / 0.030 / 0.032;
held-out real > trained > untrained: IS 8.30 > 6.73 / 6.96 / 6.63 > 1.00,
Fréchet 0.75 < 7.3-7.9 < 247.7, KID -0.55 < 1.25 / 0.87 / 1.02 < 29.7,
recall 0.93 > 0.77 / 0.75 / 0.72 > 0.00. Closed forms: Fréchet off by
0.1%, KID 0.002 (a Fréchet without its mean term is off by 50%, a biased
KID gives 0.03). With --runs holding the three runs, 0.7-2.5 minutes on a
shared 2-core CPU; with none, --quick trains them first: 4.8 minutes
(load average 5-10), grading included.

    python labs/11_evaluation.py --quick --runs runs
"""

from ganlab import grading  # first: importing ganlab silences TensorFlow's start-up noise
from ganlab.grading import evaluation as grader
from ganlab.nets import load_judge
from ganlab.recipes import evaluation
from ganlab.training import lab


def main(args):
    judge = load_judge()
    with lab.run_folder(args, "11_evaluation") as run:
        run.write_config(vars(args))
        found = evaluation.collect_generators(run, args.runs or args.out, args.quick, args.seed)
        grade = grader.grade_lab11(run.path, judge=judge)
        digits = evaluation.digit_table(run, judge, grade)
        ring = evaluation.ring_table(run)
        parzen = evaluation.parzen_curves(run)
        counts = evaluation.sample_count_curves(run, judge)
        evaluation.draw(run, parzen, counts, judge)
        run.file("table.md").write_text(evaluation.table_markdown(digits, ring))
        run.write_metrics({"generators": found, "digits": digits, "ring": ring, "parzen": parzen,
                           "sample_count": counts, "grade": grade})
    print(evaluation.table_markdown(digits, ring))
    print(f"run folder: {run.final}")
    if "sets" in grade:
        print(f"cheat: IS {grade['cheat_inception_score']:.2f} (10,000 images), recall "
              f"{grade['sets']['cheat']['recall']:.2f}, FID {grade['sets']['cheat']['frechet_distance']:.1f}"
              f" against the trained G's {grade['sets']['trained']['frechet_distance']:.1f}")
    print(grading.verdict_line(grade))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=1, quick_epochs=1)
    p.add_argument("--runs", default=None,
                   help="folder holding 03_dcgan/, 05_wgan/, 06_cgan/ (default: --out)")
    lab.run(main, p)
