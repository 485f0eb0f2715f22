"""Train the judge (the digit classifier graders use) and write datasets/judge/.

    python datasets/build_judge.py [--epochs 40] [--seed 0] [--out datasets/judge]

Trains `ganlab.nets.judge.build_judge()` on the train split of the embedded
`digits` dataset at 16x16 with light augmentation (shifts of +-1.6 pixels,
rotations of +-7 degrees, zoom +-10%), Adam, seeded and deterministic on one
machine. Writes `judge.keras` (weights only the model needs, no optimizer
state) and `judge.json` (held-out accuracy on the test split at 8, 16, 28
and 32 pixels, training time, versions). Takes well under two minutes on a
2-core CPU.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.data.images import load_image_arrays  # noqa: E402
from ganlab.nets.judge import build_judge, judge_predict  # noqa: E402


def augmenter(seed):
    fill = dict(fill_mode="constant", fill_value=-1.0)  # paper is -1
    return keras.Sequential(
        [
            layers.RandomTranslation(0.1, 0.1, seed=seed, **fill),
            layers.RandomRotation(0.02, seed=seed + 1, **fill),
            layers.RandomZoom(0.1, seed=seed + 2, **fill),
        ],
        name="augment",
    )



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "judge")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    x_train, y_train = load_image_arrays("digits", "train", 16)
    x_test, y_test = load_image_arrays("digits", "test", 16)
    augment = augmenter(args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch_size)
        .map(lambda x, y: (tf.clip_by_value(augment(x, training=True), -1.0, 1.0), y))
        .prefetch(tf.data.AUTOTUNE)
    )

    judge = build_judge()
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    judge.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    judge.fit(train, epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start

    # A fresh, uncompiled copy: the saved file carries no optimizer state.
    clean = build_judge()
    clean.set_weights(judge.get_weights())
    args.out.mkdir(parents=True, exist_ok=True)
    clean.save(args.out / "judge.keras")

    accuracy = {}
    for size in (8, 16, 28, 32):
        x, y = load_image_arrays("digits", "test", size)
        accuracy[str(size)] = float((judge_predict(clean, x).argmax(-1) == y).mean())
    x, y = load_image_arrays("printed_digits", "test", 16)
    printed = float((judge_predict(clean, x).argmax(-1) == y).mean())
    report = {
        "data": "ganlab.data.images digits, train split (1,437 images) at 16x16",
        "heldout": "digits test split (360 images)",
        "heldout_accuracy_by_size": accuracy,
        "printed_digits_test_accuracy": printed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "train_seconds": round(seconds, 1),
        "parameters": int(clean.count_params()),
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
    }
    (args.out / "judge.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {args.out / 'judge.keras'} ({(args.out / 'judge.keras').stat().st_size} bytes)")


if __name__ == "__main__":
    main()
