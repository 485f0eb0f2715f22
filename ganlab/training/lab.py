"""What every lab shares: its argument parser and the way it reports mistakes.

A user's mistake (a ValueError from the library, or a bad flag) becomes one
line on stderr and exit code 2, never a traceback. Set GANLAB_DEBUG=1 to see
the traceback anyway.
"""

import argparse
import os
import sys

import ganlab


class LabArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on stderr (and exit code 2)."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def parser(doc, default_epochs, quick_epochs):
    """The argument parser every lab starts from.

    Args:
        doc: the lab's module docstring (its first line is the description).
        default_epochs: epochs of the full configuration.
        quick_epochs: epochs with --quick.

    Returns:
        A `LabArgumentParser` with --quick, --out, --seed, --epochs,
        --resume, --quiet and the runtime's flags; the lab adds its own
        arguments and calls `parse(parser, argv)`.
    """
    p = LabArgumentParser(
        description=doc.strip().splitlines()[0],
        epilog="Full description: see the lab's docstring.",
    )
    p.add_argument("--quick", action="store_true",
                   help="small real run for a 2-core CPU (minutes); still passes the bar")
    p.add_argument("--out", default="runs", help="parent folder of the run folder (default: runs)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--epochs", type=int, default=None,
                   help=f"epochs (default: {default_epochs}, or {quick_epochs} with --quick)")
    p.add_argument("--resume", action="store_true",
                   help="continue from the last good checkpoint in OUT/NAME.ckpt (same flags)")
    p.add_argument("--quiet", action="store_true", help="no progress output while training")
    from ganlab.training.strategy import add_runtime_arguments

    add_runtime_arguments(p)  # --devices, --precision, --xla, --deterministic
    p.set_defaults(_epochs=(default_epochs, quick_epochs))
    return p


NOT_IN_FINGERPRINT = ("out", "resume", "quiet", "devices", "xla", "runtime")
"""Flags a resumed lab may change: where it writes, how it reports, where it runs."""


def fingerprint(args):
    """The flags a resumed lab must share with its checkpoints (all but `NOT_IN_FINGERPRINT`)."""
    return {k: v for k, v in vars(args).items()
            if k not in NOT_IN_FINGERPRINT and not k.startswith("_")}


def run_folder(args, name):
    """The lab's `RunFolder`: resumed with --resume, its checkpoints fingerprinted by the flags.

    Example:
        >>> with lab.run_folder(args, "01_gaussian") as run:  # doctest: +SKIP
        ...     ...
    """
    from ganlab.training.runfolder import RunFolder

    return RunFolder(args.out, name, resume=args.resume, fingerprint=fingerprint(args))


_RUNTIME = None


def runtime():
    """The `ganlab.training.strategy.Runtime` that `parse` set up from the flags.

    Labs build each model with `lab.runtime().build(make_model)` (in the
    strategy's scope, then prepared).
    """
    global _RUNTIME
    if _RUNTIME is None:
        from ganlab.training.strategy import Runtime

        _RUNTIME = Runtime()
    return _RUNTIME


def parse(p, argv=None):
    """Parse, resolve --epochs from --quick, seed the run, validate the basics."""
    args = p.parse_args(argv)
    default_epochs, quick_epochs = args._epochs
    del args._epochs
    if args.epochs is None:
        args.epochs = quick_epochs if args.quick else default_epochs
    if args.epochs < 1:
        raise ValueError(f"--epochs must be >= 1. Received: epochs={args.epochs}")
    global _RUNTIME
    from ganlab.training.progress import set_quiet
    from ganlab.training.strategy import Runtime

    set_quiet(args.quiet)

    # Before any TensorFlow op: logical CPU devices can only be set up then.
    _RUNTIME = Runtime(args.devices, args.precision, args.xla, args.deterministic)
    args.runtime = _RUNTIME.config()  # recorded in config.json (strategy, xla, ...)
    ganlab.seed(args.seed)
    return args


def run(main, p, argv=None):
    """Parse arguments and run `main(args)`, reporting a user's mistake in one line.

    Returns:
        What main returns; exits with code 2 on a ValueError (or a dataset
        that cannot be had), 130 on Ctrl-C.
    """
    try:
        return main(parse(p, argv))
    except (ValueError, _unavailable_error()) as e:
        if os.environ.get("GANLAB_DEBUG"):
            raise
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        sys.stderr.write(f"{p.prog}: error: {message}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write(f"{p.prog}: interrupted; the last complete run folder is untouched\n")
        sys.exit(130)


def _unavailable_error():
    from ganlab.data.tfds import DatasetUnavailableError

    return DatasetUnavailableError
