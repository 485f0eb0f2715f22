"""Callbacks: per-epoch figures into the logs, TensorBoard images, the GIF."""

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

    Args:
        evaluate: optional callable model -> dict of figures (its scalar
            entries are logged; others, e.g. lists, are ignored).
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
        self._writer = None

    def get_state(self):
        """(figures per epoch, {frame name: image}): what a checkpoint keeps of this callback."""
        return {"records": self.records, "frames": len(self.frames)}, {
            f"frame_{i:05d}": frame for i, frame in enumerate(self.frames)}

    def set_state(self, state, arrays):
        """Take back what `get_state` returned (on resume)."""
        self.records = [dict(r) for r in state["records"]]
        self.frames = [arrays[f"frame_{i:05d}"] for i in range(int(state["frames"]))]

    def on_train_begin(self, logs=None):
        if self.log_dir is not None and self.render is not None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if epoch % self.every and not last:
            return
        if self.evaluate is not None:
            values = {k: float(v) for k, v in self.evaluate(self.model).items()
                      if isinstance(v, (int, float, np.number))}
            if logs is not None:
                logs.update(values)
            self.records.append({"epoch": epoch + 1, **values})
        if self.render is not None:
            image = self.render(self.model, epoch + 1)
            self.frames.append(image)
            if self._writer is not None:
                with self._writer.as_default():
                    tf.summary.image("samples", image[None], step=epoch + 1)
                self._writer.flush()

    def on_train_end(self, logs=None):
        if self.frames and self.gif_path is not None:
            figures.save_gif(self.frames, self.gif_path)
        if self.frames and self.last_path is not None:
            figures.save_png(self.frames[-1], self.last_path)
        if self._writer is not None:
            self._writer.close()


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
