"""Callbacks: per-epoch figures into the logs, TensorBoard images, the GIF."""

import os
import random
import threading
from concurrent.futures import Future

import keras
import numpy as np
import tensorflow as tf

from ganlab.training import figures


class EpochFigures(keras.callbacks.Callback):
    """Compute a lab's figures and picture at the end of every epoch.

    The figures are added to the epoch's `logs`, so `keras.callbacks.TensorBoard`
    (placed after this callback) writes them as scalars and `History` keeps
    them. The picture is written to TensorBoard as an image, kept as a GIF
    frame, and at the end of training saved as the run's progress.gif and
    (the last frame) samples.png.

    An evaluation may run beside training: when `evaluate` returns a
    `concurrent.futures.Future` (see `in_background`), its figures are
    collected at the next epoch's end (or at the end of training) and
    written to TensorBoard at their own epoch, not into that epoch's
    `logs`; one evaluation is in flight at a time. A checkpoint taken while
    one is in flight records its epoch, and a resumed run evaluates it again
    (the restored weights are that epoch's).

    Args:
        evaluate: optional callable model -> dict of figures, or a Future of
            one (its scalar entries are logged; others, e.g. lists, are
            ignored).
        render: optional callable (model, epoch) -> (H, W, 3) uint8 image.
        log_dir: TensorBoard folder for the images (None: no images logged).
        gif_path: where to write the GIF of all frames (None: not written).
        last_path: where to write the last frame as PNG (None: not written).
        every: compute every `every` epochs (and always on the last one).
    """

    def __init__(self, evaluate=None, render=None, log_dir=None, gif_path=None,
                 last_path=None, every=1):
        super().__init__()
        self.evaluate = evaluate
        self.render = render
        self.log_dir = log_dir
        self.gif_path = gif_path
        self.last_path = last_path
        self.every = max(1, int(every))
        self.frames = []
        self.records = []
        self._writer = self._scalars = None
        self._pending = None  # (epoch, Future) of an evaluation running beside training
        self._redo = None  # the epoch a resumed run must evaluate again

    def get_state(self):
        """(figures per epoch, {frame name: image}): what a checkpoint keeps of this callback."""
        pending = None if self._pending is None else self._pending[0]
        return {"records": self.records, "frames": len(self.frames), "pending": pending}, {
            f"frame_{i:05d}": frame for i, frame in enumerate(self.frames)}

    def set_state(self, state, arrays):
        """Take back what `get_state` returned (on resume)."""
        self.records = [dict(r) for r in state["records"]]
        self.frames = [arrays[f"frame_{i:05d}"] for i in range(int(state["frames"]))]
        self._redo = state.get("pending")

    def on_train_begin(self, logs=None):
        if self.log_dir is not None and self.render is not None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir))
        if self._redo is not None and self.evaluate is not None:
            self._pending, self._redo = (self._redo, self.evaluate(self.model)), None
            self._settle()

    def _record(self, epoch, figures):
        values = {k: float(v) for k, v in figures.items()
                  if isinstance(v, (int, float, np.number))}
        self.records.append({"epoch": epoch, **values})
        return values

    def _settle(self):
        """Collect the evaluation running beside training, if any, and log it at its epoch."""
        if self._pending is None:
            return
        epoch, future = self._pending
        self._pending = None
        figures = future.result() if isinstance(future, Future) else future
        values = self._record(epoch, figures)
        if self.log_dir is not None and values:
            # Where and how keras.callbacks.TensorBoard writes epoch scalars (step: epoch - 1).
            if self._scalars is None:
                self._scalars = tf.summary.create_file_writer(os.path.join(self.log_dir, "train"))
            with self._scalars.as_default():
                for name, value in values.items():
                    tf.summary.scalar(f"epoch_{name}", value, step=epoch - 1)

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if epoch % self.every and not last:
            return
        if self.evaluate is not None:
            self._settle()
            figures = self.evaluate(self.model)
            if isinstance(figures, Future):
                self._pending = (epoch + 1, figures)
            else:
                values = self._record(epoch + 1, figures)
                if logs is not None:
                    logs.update(values)
        if self.render is not None:
            image = self.render(self.model, epoch + 1)
            self.frames.append(image)
            if self._writer is not None:
                with self._writer.as_default():
                    tf.summary.image("samples", image[None], step=epoch + 1)
                self._writer.flush()

    def on_train_end(self, logs=None):
        self._settle()
        if self.frames and self.gif_path is not None:
            figures.save_gif(self.frames, self.gif_path)
        if self.frames and self.last_path is not None:
            figures.save_png(self.frames[-1], self.last_path)
        for writer in (self._writer, self._scalars):
            if writer is not None:
                writer.close()
        self._writer = self._scalars = None


def in_background(evaluate, *nets):
    """An `EpochFigures` evaluation that runs in a thread while training goes on.

    Each call copies the weights of `nets` into private clones (made once,
    here) and starts `evaluate(*clones)` in a new thread, returning its Future; the
    copies keep the figures those of the epoch that asked for them. Worth it
    when an evaluation takes as long as an epoch and training leaves a core
    idle (lab 05's toy nets: exact W1s beside small-batch steps).
    `EpochFigures` collects one evaluation before it asks for the next, so
    one set of clones is enough.

    Args:
        evaluate: callable (*nets) -> dict of figures, safe to run beside
            training (it must not touch the training model).
        nets: the `keras.Model`s it measures (functional or sequential).

    Returns:
        callable model -> Future of evaluate's dict.
    """
    # Made here, in the calling thread (the model may then train in another:
    # `fit_together`). A clone's initializers draw their seeds from Python's
    # `random`: put its state back, so that the run's later draws do not move.
    state = random.getstate()
    clones = [keras.models.clone_model(net) for net in nets]
    random.setstate(state)

    def start(model):
        for clone, net in zip(clones, nets, strict=True):
            clone.set_weights(net.get_weights())
        future = Future()

        def work():
            try:
                future.set_result(evaluate(*clones))
            except BaseException as error:  # re-raised in the training thread by result()
                future.set_exception(error)

        threading.Thread(target=work, name="EpochFigures", daemon=True).start()
        return future

    return start


def fit_together(trainings, runtime=None):
    """Run independent trainings at once, one thread each; their results, in order.

    A lab that trains several small models side by side (lab 01's three
    GANs, lab 05's GAN, WGAN and WGAN-GP) keeps about one core busy per
    model: their steps are chains of small ops, and a step waits for the
    previous one. Two such chains in two threads fill two cores (TensorFlow
    releases the GIL while a step runs). Each model trains exactly as it
    would alone, from its own seed, data and checkpoints; only the order in
    which their progress lines appear changes (plain lines meanwhile: two
    terminal bars would overwrite each other).

    Build every model before (in the calling thread: the weights drawn at
    initialisation keep their order) and do what follows training after:
    only `fit` belongs in a training.

    Args:
        trainings: zero-argument callables, e.g. `functools.partial(fit_logged, ...)`.
        runtime: the lab's `Runtime`; one after the other unless its
            `fits_together` (one replica). None: together.

    Returns:
        The trainings' return values, in their order.

    Raises:
        The first training's exception (by order), once all have stopped.
    """
    trainings = list(trainings)
    if len(trainings) < 2 or (runtime is not None and not runtime.fits_together):
        return [train() for train in trainings]
    from ganlab.training import progress

    futures = [Future() for _ in trainings]

    def work(train, future):
        try:
            future.set_result(train())
        except BaseException as error:  # re-raised below, in the calling thread
            future.set_exception(error)

    threads = [threading.Thread(target=work, args=pair, name=f"fit_together-{i}", daemon=True)
               for i, pair in enumerate(zip(trainings, futures, strict=True))]
    plain = progress.set_plain(True)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        progress.set_plain(plain)
    return [future.result() for future in futures]


def tensorboard(log_dir):
    """Keras's own TensorBoard callback, set up for GAN runs (epoch scalars)."""
    return keras.callbacks.TensorBoard(
        log_dir=str(log_dir), write_graph=False, update_freq="epoch", profile_batch=0
    )


def history_series(records, key):
    """(epochs, values) of one figure from `EpochFigures.records`."""
    xs = [r["epoch"] for r in records if key in r]
    return np.array(xs), np.array([r[key] for r in records if key in r])


def fit_logged(model, dataset, log_dir, epochs, steps_per_epoch, evaluate=None,
               render=None, gif_path=None, last_path=None, every=1, label=None,
               checkpointer=None):
    """`model.fit` with the run folder's logging: TensorBoard scalars of every
    loss and figure each epoch, the picture as a TensorBoard image and GIF,
    progress on stdout, and (with `checkpointer`) a checkpoint every epoch.

    Args:
        model: a compiled ganlab model.
        dataset: the training `tf.data.Dataset` (endless is fine).
        log_dir: TensorBoard folder of this training run.
        epochs, steps_per_epoch: as for `fit`.
        evaluate, render, gif_path, last_path, every: see `EpochFigures`.
        label: what trains, shown with the progress (`ganlab.training.progress`).
        checkpointer: None, or a callable `extras -> Checkpointer` (e.g.
            `lambda extras: run.checkpointer(gan, "plain", extras)`): the
            figures collected so far are saved with every checkpoint, and
            a resumed run continues from the restored epoch, with the data
            replayed to the same position.

    Returns:
        (history, figures_callback): `History` and the `EpochFigures` with
        its `records` (figures per epoch) and `frames`, those restored from
        a checkpoint included.
    """
    from ganlab.training.progress import Progress

    figs = EpochFigures(evaluate, render, log_dir, gif_path, last_path, every)
    callbacks = [figs, tensorboard(log_dir), Progress(label)]
    if checkpointer is not None:
        ckpt = checkpointer([figs])
        dataset = ckpt.dataset(dataset, steps_per_epoch)
        callbacks.append(ckpt)  # last: it saves the state the other callbacks left
    history = model.fit(
        dataset,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        verbose=0,
    )
    return history, figs
