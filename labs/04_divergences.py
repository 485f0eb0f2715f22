"""Lab 04 - KL, JS and the Earth-Mover distance on Arjovsky's parallel lines.

Real data is the segment P_0 = (0, Z), the "generator" the segment
P_theta = (theta, Z), Z ~ U[0, 1] (Arjovsky, Chintala & Bottou 2017,
Example 1). For theta != 0 the supports do not overlap, so JS = log 2 and
KL = infinity whatever theta is; only W = |theta| tells the generator how far
it is. The lab computes, and plots in divergences.png:

* the exact W, JS and KL against theta;
* at each theta, what a trained GAN discriminator certifies,
  JS_hat = (V(D) + log 4) / 2, and what a trained critic (WGAN-GP, made
  1-Lipschitz by the gradient penalty) estimates, E_P0[f] - E_Ptheta[f],
  divided by the critic's measured Lipschitz constant K (reported);
* gradients.png: the gradient each hands the generator, d loss / d theta.
  The discriminator's (minimax loss) is ~0: the vanishing gradient. The
  critic's is ~-K sign(theta): always pointing home.

emd.png shows the slide's transport plan between two small discrete
distributions, solved as a linear program (and, in 1D, equal to
scipy.stats.wasserstein_distance; metrics.json records both).

Grading bar (recomputed by the grader from the saved critic_*.keras and
discriminator_*.keras, fixed seeds): for every theta != 0 the critic's
normalised estimate is within 10% of |theta|, and for every |theta| >= 0.5
the discriminator's JS_hat is within 0.02 of log 2. --quick: about a minute.

    python labs/04_divergences.py --quick
"""

from ganlab import grading
from ganlab.metrics import divergences as dv
from ganlab.recipes import wasserstein
from ganlab.training import lab


def main(args):
    thetas = [float(t) for t in args.thetas]
    with lab.run_folder(args, "04_divergences") as run:
        run.write_config(vars(args), thetas=thetas,
                         latent={"dim": 1, "distribution": "uniform"})
        rows, emd = wasserstein.divergences_on_lines(run, thetas, args.epochs, args.batch_size,
                                                     args.seed, lab.runtime())
        grade = grading.grade_lab04(run.path)  # the lab's thetas, whatever --thetas
        run.write_metrics({"thetas": rows, "emd": emd["checks"], "grade": grade})
    print(f"run folder: {run.final}")
    for r in rows:
        c, d = r["critic"], r["discriminator"]
        print(f"theta {r['theta']:+.2f}: W {r['w']:.2f}  critic {c['estimate']:.3f} / K {c['lipschitz']:.2f}"
              f" = {c['normalised']:.3f} (grad {c['grad_theta']:+.2f})   JS_hat {d['js']:.3f}"
              f" (log 2 = {dv.LOG2:.3f}, grad {d['grad_theta']:+.1e})")
    print(grading.verdict_line(grade))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=20, quick_epochs=4)
    p.add_argument("--thetas", type=float, nargs="+",
                   default=list(grading.divergences.THETAS),
                   help="offsets of the generator's segment (default -1 ... 1)")
    p.add_argument("--batch-size", type=int, default=256, help="minibatch size (default 256)")
    lab.run(main, p)
