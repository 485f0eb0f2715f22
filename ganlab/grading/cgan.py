"""Lab 06's grader: the judge finds the class the conditional G was asked for."""

import numpy as np

from ganlab.grading.common import GRADING_SEED, verdict

BAR = {"min_accuracy": 0.90, "min_class_accuracy": 0.70}
PER_CLASS = 100


def grade_conditional(sampler, num_classes=10, per_class=PER_CLASS, seed=GRADING_SEED,
                      judge=None, min_accuracy=BAR["min_accuracy"],
                      min_class_accuracy=BAR["min_class_accuracy"]):
    """Lab 06's bar: the judge recognises the class that was asked for.

    `per_class` samples of each class (1,000 for 10 classes) are drawn with
    the fixed seed; the judge (`ganlab.nets.judge`, 99.2% on held-out digits)
    classifies them. Passes when the judge's class equals the requested one
    for >= 90% of all samples and for >= 70% of every class's own samples.

    Args:
        sampler: callable (labels, seed) -> gray images in [-1, 1].
        judge: the judge model (`load_judge()` when None).

    Returns:
        accuracy, class_accuracy (list), worst_class, min_class_accuracy,
        confusion (requested x judged counts), plus `passed` and `failures`.
    """
    from ganlab.nets.judge import judge_predict, load_judge

    judge = load_judge() if judge is None else judge
    labels = np.repeat(np.arange(num_classes), per_class)
    x = np.asarray(sampler(labels, seed), "float32")
    if x.shape[0] != len(labels) or not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are missing or not finite"]}
    judged = judge_predict(judge, x).argmax(-1)
    hits = judged == labels
    per = hits.reshape(num_classes, per_class).mean(axis=1)
    confusion = np.zeros((num_classes, judge.output_shape[-1]), int)
    np.add.at(confusion, (labels, judged), 1)
    fig = {"accuracy": float(hits.mean()), "class_accuracy": [float(a) for a in per],
           "min_class_accuracy": float(per.min()), "worst_class": int(per.argmin()),
           "confusion": confusion.tolist(), "samples": int(len(labels))}
    return verdict(fig, [
        ("accuracy", fig["accuracy"], ">=", min_accuracy, fig["accuracy"] >= min_accuracy),
        ("min_class_accuracy", fig["min_class_accuracy"], ">=", min_class_accuracy,
         fig["min_class_accuracy"] >= min_class_accuracy),
    ])
