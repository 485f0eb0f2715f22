"""Progress a student can see: one bar per training run, or a plain line every 10%.

On a terminal, `Progress` draws one bar for the whole run (all epochs, not
one bar per epoch as `fit(verbose=1)` does), redrawn in place: which model
trains, the epoch, the share done, the elapsed time, an ETA and the latest
losses. Where stdout is not a terminal (a CI log, a cluster job's output
file), it prints a plain line about every 10% of the run instead, and one at
the end. `set_quiet(True)` (the labs' and `ganlab train`'s `--quiet`)
silences it.

Why not Keras's `keras.utils.Progbar`: `fit(verbose=1)` draws one bar per
epoch, and the class used on its own for the whole run shows extra values
only as numbers with four decimals (no "epoch 3/10", no model name); its
ETA divides the time of this session by every step done, so after a resume
it counts the checkpointed steps as done in no time; and when stdout is not
a terminal it prints a new line at every update (every 0.05 s), where a log
needs about ten. tqdm would do, but it is not among ganlab's dependencies.
The bar below is some sixty lines and needs neither.
"""

import math
import shutil
import sys
import time

import keras

_QUIET = False
_PLAIN = False


def set_plain(plain=True):
    """Plain lines, never the terminal bar, for every later training run (`fit_together`).

    Returns:
        The previous setting.
    """
    global _PLAIN
    previous, _PLAIN = _PLAIN, bool(plain)
    return previous


def set_quiet(quiet=True):
    """Silence (or restore) the progress of every later training run in this process."""
    global _QUIET
    _QUIET = bool(quiet)


def is_quiet():
    return _QUIET


def clock(seconds):
    """Seconds as "m:ss" (or "h:mm:ss")."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3g}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.4f}"


class Progress(keras.callbacks.Callback):
    """Show a training run's progress (see the module docstring).

    Args:
        label: what trains, e.g. "stabilised (1/3)"; shown first.
        stream: where to write (default: `sys.stdout` when training starts).
        tty: force the terminal bar (True) or plain lines (False); None
            asks `stream.isatty()`.
        lines: number of plain lines over the run (10: about every 10%).
        interval: seconds between two redraws of the terminal bar.
        keys: the logged values shown (default: the model's metric trackers,
            i.e. its losses, not the per-epoch figures added to the logs).

    Example:
        >>> gan.fit(ds, epochs=10, steps_per_epoch=100, verbose=0,
        ...         callbacks=[Progress("stabilised (1/3)")])  # doctest: +SKIP
    """

    def __init__(self, label=None, stream=None, tty=None, lines=10, interval=0.2, keys=None):
        super().__init__()
        self.label = label
        self._stream = stream
        self._tty = tty
        self.lines = max(1, int(lines))
        self.interval = float(interval)
        self.keys = keys

    # ---------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self.stream = self._stream or sys.stdout
        # Runs training side by side (`fit_together`) would redraw one line in turn.
        self.tty = False if _PLAIN else (self._tty if self._tty is not None
                                         else isatty(self.stream))
        self.epochs = int(self.params.get("epochs") or 1)
        self.steps = int(self.params.get("steps") or 1)
        self.total = self.epochs * self.steps
        self.epoch = 0
        self.logs = {}
        self.start_done = None
        self.start_time = time.monotonic()
        self.last_draw = 0.0
        self.next_line = None
        self.drawn = False
        self.finished = False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        if self.start_done is None:  # the first epoch of this session (later after a resume)
            self.start_done = epoch * self.steps
            self.start_time = time.monotonic()
            mark = self.total / self.lines
            self.next_line = (math.floor(self.start_done / mark) + 1) * mark

    def on_train_batch_end(self, batch, logs=None):
        self.logs.update(logs or {})
        self._show(self.epoch * self.steps + batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        self.logs.update(logs or {})
        self._show((epoch + 1) * self.steps, end_of_epoch=True)

    def on_train_end(self, logs=None):
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()

    # ------------------------------------------------------------ drawing
    def line(self, done):
        """The text shown when `done` of the run's steps are done."""
        elapsed = time.monotonic() - self.start_time
        session = done - (self.start_done or 0)
        eta = elapsed / session * (self.total - done) if session > 0 else None
        epoch = min(self.epochs, done // self.steps + (done % self.steps > 0)) or 1
        parts = [self.label] if self.label else []
        parts.append(f"epoch {epoch}/{self.epochs}")
        if self.tty:
            width = 20
            filled = int(width * done / self.total)
            parts.append("[" + "=" * filled + (">" if filled < width else "")
                         + "." * max(0, width - filled - 1) + "]")
        parts.append(f"{100 * done / self.total:3.0f}%")
        parts.append(f"{clock(elapsed)} elapsed")
        if done < self.total:
            parts.append(f"ETA {clock(eta) if eta is not None else '?'}")
        keys = self.keys
        if keys is None:  # the model's own trackers (the losses), not every figure logged
            keys = [m.name for m in getattr(self.model, "metrics", [])] or list(self.logs)
        values = [f"{k} {_number(self.logs[k])}" for k in keys
                  if k in self.logs and _number(self.logs[k]) is not None]
        return "  ".join(parts + values)

    def _show(self, done, end_of_epoch=False):
        if _QUIET:
            return
        now = time.monotonic()
        if self.tty:
            if done < self.total and now - self.last_draw < self.interval and not end_of_epoch:
                return
            self.last_draw = now
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + self.line(done)[:width].ljust(width))
            self.drawn = True
        else:
            if done < self.next_line and done < self.total:
                return
            if done >= self.total:
                if self.finished:
                    return
                self.finished = True
            mark = self.total / self.lines
            self.next_line = (math.floor(done / mark) + 1) * mark
            self.stream.write(self.line(done) + "\n")
        self.stream.flush()


def isatty(stream):
    """Whether `stream` is a terminal (False for streams without `isatty`)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
