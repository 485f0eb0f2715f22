"""Subprocess script: `ganlab train` with an optional SIGKILL in mid-epoch.

    python tests/training/train_script.py KILL_EPOCH ganlab-train-arguments...

KILL_EPOCH (1-based; 0 = never) kills this process with SIGKILL after the
first half of that epoch's steps, the way a pre-empted job dies: no
cleanup, no exception handlers. With GANLAB_TEST_WEIGHTS=PATH set, the
networks' weights at the end of training are written to PATH (.npz), from
every worker, including those that write no run folder.
"""

import os
import signal
import sys

import keras

from ganlab import cli


class KillInEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.kill_epoch = epoch
        self.current = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        steps = self.params["steps"]
        if self.current == self.kill_epoch and steps // 2 <= batch + 1 < steps:
            os.kill(os.getpid(), signal.SIGKILL)


class DumpWeights(keras.callbacks.Callback):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_train_end(self, logs=None):
        import numpy as np

        weights = self.model.generator.get_weights() + self.model.discriminator.get_weights()
        np.savez(self.path, *weights)


if __name__ == "__main__":
    kill = int(sys.argv[1])
    args = cli.build_parser().parse_args(sys.argv[2:])
    callbacks = [KillInEpoch(kill)] if kill else []
    if os.environ.get("GANLAB_TEST_WEIGHTS"):
        callbacks.append(DumpWeights(os.environ["GANLAB_TEST_WEIGHTS"]))
    cli.train(args, callbacks=callbacks)
