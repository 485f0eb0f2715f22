"""The `ganlab` command: a thin argparse over the library.

    ganlab train VARIANT [--dataset D] [--epochs N] [--batch-size B]
                 [--steps-per-epoch S] [--devices cpu:2] [--precision P]
                 [--xla auto|on|off] [--deterministic] [--seed N]
                 [--out runs] [--name NAME] [--resume]
    ganlab sample RUN_DIR -n N -o grid.png [--seed S] [--label L]
    ganlab eval RUN_DIR
    ganlab grade CLASS_DIR [--labs 01,03,...] [--out grades.csv] [--report report.html]
                 [--jobs N] [--timeout SECONDS|LAB=SECONDS,...] [--resume] [--quiet]
    ganlab labs

A user's mistake (unknown variant or dataset, a batch size the replicas
cannot share, a missing or incompatible run folder, a bad flag) is one line
on stderr and exit code 2. GANLAB_DEBUG=1 shows the traceback instead.

`ganlab train` writes OUT/NAME/ (NAME defaults to VARIANT-DATASET) like a
lab: config.json, metrics.json, generator.keras, discriminator.keras,
samples.png and tb/; checkpoints go to OUT/NAME.ckpt/ at every epoch end
and `--resume` continues from the last good one.
"""

import argparse
import ast
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPATIBLE = "0.1"  # major.minor of ganlab whose run folders this version reads


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def build_parser():
    from ganlab.cli import registry  # `ganlab train --help` lists what it registers

    p = _Parser(prog="ganlab", description="Train, sample and evaluate the course's GANs.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="train a GAN variant into a run folder",
                       epilog=registry.describe(), formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("variant", help="GAN variant (listed below)")
    t.add_argument("--dataset", default="gaussian",
                   help="training data (default: gaussian; listed below)")
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--steps-per-epoch", type=int, default=200)
    t.add_argument("--batch-size", type=int, default=64,
                   help="global batch (split over the replicas; default 64)")
    from ganlab.training.strategy import add_runtime_arguments

    add_runtime_arguments(t)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", default="runs", help="parent folder of the run folder")
    t.add_argument("--name", default=None, help="run folder name (default VARIANT-DATASET)")
    t.add_argument("--resume", action="store_true",
                   help="continue from the last good checkpoint in OUT/NAME.ckpt")
    t.add_argument("--quiet", action="store_true", help="no progress output while training")

    s = sub.add_parser("sample", help="draw samples of a run's generator into a picture")
    s.add_argument("run_dir")
    s.add_argument("-n", type=int, default=64, help="number of samples")
    s.add_argument("-o", "--output", default="grid.png", help="picture to write (.png)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--label", default=None, help="class label (conditional variants)")

    e = sub.add_parser("eval", help="recompute and write a run's figures (eval.json)")
    e.add_argument("run_dir")

    g = sub.add_parser("grade", help="grade a whole class into a gradebook CSV and an HTML report",
                       description="Grade CLASS_DIR/<student>/<NN_name>/ run folders with the "
                       "labs' own graders (ganlab.grading.gradebook).")
    g.add_argument("class_dir", help="a folder of student folders, each with its run folders")
    g.add_argument("--labs", default=None, help="labs to grade, e.g. 01,03 (default: every lab)")
    g.add_argument("--out", default="grades.csv", help="the gradebook CSV (default grades.csv)")
    g.add_argument("--report", default=None, help="also write this self-contained HTML report")
    g.add_argument("--jobs", type=int, default=1, help="folders graded in parallel (default 1)")
    g.add_argument("--timeout", default=None, metavar="SECONDS|LAB=SECONDS,...",
                   help="seconds one folder may take: for every lab (120) or per lab "
                   "(03=600,06=300); default: each lab's own limit")
    g.add_argument("--resume", action="store_true",
                   help="keep the students the journal (OUT.journal.json) holds; grade the rest")
    g.add_argument("--quiet", action="store_true", help="no progress output")

    sub.add_parser("labs", help="list the labs, their descriptions and grading bars")
    return p


# -------------------------------------------------------------------- train
def train(args, callbacks=()):
    """`ganlab train`: returns the run folder path. `callbacks` are added to fit."""
    from ganlab.training.strategy import Runtime

    rt = Runtime(args.devices, args.precision, args.xla, args.deterministic)  # before any op
    import ganlab
    from ganlab.cli import registry
    from ganlab.data import toy_dataset
    from ganlab.training.callbacks import tensorboard
    from ganlab.training.checkpoint import Checkpointer
    from ganlab.training.progress import Progress, set_quiet
    from ganlab.training.runfolder import RunFolder

    set_quiet(getattr(args, "quiet", False))

    entry = registry.variant(args.variant)
    data = registry.dataset(args.dataset)
    if data.kind not in entry.kinds:
        raise ValueError(
            f"Variant {args.variant!r} does not train on {data.kind}. "
            f"Received: dataset={args.dataset!r}"
        )
    for name in ("epochs", "steps_per_epoch"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be >= 1. "
                             f"Received: {name}={getattr(args, name)}")
    if entry.conditional and data.num_classes is None:
        labeled = sorted(n for n, d in registry.DATASETS.items() if d.num_classes)
        raise ValueError(
            f"Variant {args.variant!r} needs a labeled dataset; labeled: {', '.join(labeled)}. "
            f"Received: dataset={args.dataset!r}"
        )
    rt.check_batch_size(args.batch_size)
    ganlab.seed(args.seed)
    loaded = data.load(args.seed)
    samples = loaded[0] if data.num_classes else loaded
    conditional = {"num_classes": data.num_classes} if entry.conditional else {}
    name = args.name or f"{args.variant}-{args.dataset}"
    out = Path(args.out)
    total = args.epochs * args.steps_per_epoch
    model = rt.build(lambda: entry.build(samples.shape[1:], data.kind, args.seed, total,
                                         **conditional))
    k = getattr(model, "d_steps", None) or getattr(model, "n_critic", 1)
    fingerprint = {key: getattr(args, key) for key in
                   ("variant", "dataset", "epochs", "steps_per_epoch", "batch_size", "seed")}
    ckpt = Checkpointer(model, out / f"{name}.ckpt", resume=args.resume, fingerprint=fingerprint,
                        chief=rt.is_chief)
    dataset = ckpt.dataset(toy_dataset(loaded if conditional else samples, args.batch_size * k,
                                       seed=args.seed), args.steps_per_epoch)
    with RunFolder(out, name, resume=args.resume, chief=rt.is_chief) as run:
        latent = {"dim": model.latent_dim, "distribution": model.latent_distribution}
        config = {k_: v for k_, v in vars(args).items() if k_ not in ("command",)}
        run.write_config(config, variant=args.variant, latent=latent, data_kind=data.kind,
                         data_shape=list(samples.shape[1:]), runtime=rt.config(),
                         resumed_from=ckpt.restored_from, **conditional, **data.facts)
        history = model.fit(dataset, epochs=args.epochs, steps_per_epoch=args.steps_per_epoch,
                            callbacks=[tensorboard(run.file("tb")), Progress(name), *callbacks,
                                       ckpt], verbose=0)
        metrics = {key: float(v[-1]) for key, v in history.history.items()}
        metrics["epochs_done"] = args.epochs
        run.write_metrics(metrics)
        run.save_model(model.generator, "generator.keras")
        run.save_model(model.discriminator, "discriminator.keras")
        _sample_picture(model.generator, run.path, 64, args.seed, run.file("samples.png"),
                        {"latent": latent, **conditional, **data.facts})
    if not rt.is_chief:
        kind, index = rt.config()["written_by"].split()
        print(f"{kind} {index} done; the chief writes the run folder {out / name}")
        return out / name
    print(f"run folder: {run.final}")
    print("  ".join(f"{k_} {v:.4f}" for k_, v in metrics.items() if k_ != "epochs_done"))
    return run.final


# ------------------------------------------------------------------- sample
def _check_run(run_dir, need_latent=True):
    """config.json of a run folder made by a compatible ganlab, else ValueError."""
    from ganlab.training.runfolder import read_json

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"Run folder not found. Received: run_dir={str(run_dir)!r}")
    config = read_json(run_dir / "config.json")
    version = str(config.get("versions", {}).get("ganlab", "unknown"))
    if ".".join(version.split(".")[:2]) != COMPATIBLE:
        raise ValueError(
            f"Run folder {str(run_dir)!r} was written by ganlab {version}; this ganlab "
            f"reads runs of {COMPATIBLE}.x. Retrain it, or use a matching ganlab"
        )
    if need_latent and "latent" not in config:
        raise ValueError(f"config.json of {str(run_dir)!r} has no latent prior; not a ganlab run")
    return config


def _draw(generator, config, n, seed, **options):
    import numpy as np

    from ganlab.cli import registry

    if "num_classes" in config:  # a conditional run: samples of the asked class
        from ganlab.grading import draw_from

        return draw_from(generator, config, n, label=options.get("label"), seed=seed)[0]
    fn = registry.SAMPLERS.get(config.get("variant"))
    if fn is not None:
        return fn(generator, config, n, seed, **options)
    if options.get("label") is not None:
        raise ValueError(
            f"--label needs a conditional variant. Received: label={options['label']!r} "
            f"for variant {config.get('variant', 'unknown')!r}"
        )
    from ganlab import grading

    latent = config["latent"]
    sampler = grading.latent_sampler(generator, latent["dim"], latent["distribution"])
    return np.asarray(sampler(n, seed))


def _sample_picture(generator, run_dir, n, seed, output, config=None, **options):
    import numpy as np

    from ganlab.training import figures

    if config is None:
        config = {"latent": {"dim": generator.input_shape[-1], "distribution": "normal"}}
    x = _draw(generator, config, n, seed, **options)
    if x.ndim == 4:
        rows = max(1, int(np.sqrt(n)))
        image = figures.image_grid(x, rows)
    elif x.shape[-1] == 1:
        mu, sigma = config.get("mu", float(x.mean())), config.get("sigma", float(x.std()) or 1.0)
        image = figures.density_1d(x, mu, sigma, title=f"{n} samples")
    else:
        from ganlab.cli import registry

        mixture = registry.mixture_of(config)
        centers = np.zeros((0, 2)) if mixture is None else mixture.centers
        image = figures.samples_2d(x[:, :2], centers, title=f"{n} samples")
    figures.save_png(image, output)
    return x


def sample(args):
    import ganlab  # noqa: F401  (registers the custom layers)
    from ganlab.grading.common import load_untrusted_model

    config = _check_run(args.run_dir)
    if args.n < 1:
        raise ValueError(f"-n must be >= 1. Received: n={args.n}")
    if Path(args.output).suffix.lower() != ".png":
        raise ValueError(f"-o must name a .png file. Received: output={args.output!r}")
    path = Path(args.run_dir) / "generator.keras"
    if not path.is_file():
        raise ValueError(f"The run has no generator.keras. Received: path={str(path)!r}")
    generator = load_untrusted_model(path)
    label = args.label
    if label is not None:
        try:
            label = ast.literal_eval(label)
        except (ValueError, SyntaxError):
            pass
    _sample_picture(generator, args.run_dir, args.n, args.seed, args.output, config,
                    label=label)
    print(f"wrote {args.output} ({args.n} samples)")


# --------------------------------------------------------------------- eval
def lab_grader(run_dir):
    """`grade_labNN` of a lab's run folder (named NN_topic, e.g. runs/01_gaussian), or None.

    A lab's run is graded against the lab's own fixed targets (lab 01: its
    N(4, 0.5^2)), not against what its config.json records.
    """
    import re

    from ganlab import grading

    found = re.fullmatch(r"(\d\d)_[a-z0-9_]+", Path(run_dir).resolve().name)
    return getattr(grading, f"grade_lab{found.group(1)}", None) if found else None


def evaluate(args):
    """`ganlab eval`: the run's grade and every metric that applies, into eval.json."""
    from ganlab.cli import registry
    from ganlab.grading.evaluation import evaluation_figures
    from ganlab.training.runfolder import write_json_atomic

    grade_lab = lab_grader(args.run_dir)
    config = _check_run(args.run_dir, need_latent=grade_lab is None)
    if grade_lab is not None:
        figures = grade_lab(args.run_dir)
    else:
        for predicate, fn in registry.EVALUATORS:
            if predicate(config):
                figures = fn(args.run_dir, config)
                break
        else:
            raise ValueError(
                f"No evaluator knows this run (variant {config.get('variant', '?')!r}, "
                f"config keys {sorted(config)[:8]}...). Received: run_dir={args.run_dir!r}"
            )
    if (Path(args.run_dir) / "generator.keras").is_file() and "latent" in config:
        figures = {**figures, "metrics": evaluation_figures(
            args.run_dir, config, target=registry.target_sampler(config),
            log=lambda line: print(line, file=sys.stderr))}
    write_json_atomic(Path(args.run_dir) / "eval.json", figures)
    for key, value in figures.items():
        if key == "metrics":
            for name, fig in value.items():
                print(f"{name}: {fig}")
        else:
            print(f"{key}: {value}")
    return figures


# -------------------------------------------------------------------- grade
def grade(args):
    """`ganlab grade`: the gradebook CSV (and the report) of a class folder."""
    from ganlab.grading import gradebook
    from ganlab.training.progress import set_quiet

    set_quiet(args.quiet)
    labs = gradebook.parse_labs(args.labs)  # a bad flag fails before any worker starts
    timeouts = gradebook.parse_timeouts(args.timeout, labs)
    book = gradebook.grade_class(args.class_dir, labs, args.out, jobs=args.jobs,
                                 resume=args.resume, timeouts=timeouts)
    for lab, counts in gradebook.summary(book).items():
        print(f"lab {lab}: " + ", ".join(f"{counts[s]} {s}" for s in gradebook.STATUSES))
    print(f"gradebook: {args.out}")
    if args.report:
        from ganlab.grading.report import write_report

        print(f"report: {write_report(book, args.class_dir, args.report)}")
    return book


# --------------------------------------------------------------------- labs
def lab_descriptions(folder=None):
    """[(file name, one-line description, bar)] from the labs' docstrings."""
    folder = Path(folder or ROOT / "labs")
    found = []
    for path in sorted(folder.glob("[0-9][0-9]_*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        lines = doc.strip().splitlines()
        title = lines[0] if lines else "(no docstring)"
        bar = ""
        for i, line in enumerate(lines):
            if line.lower().startswith("grading bar"):
                para = []
                for more in lines[i:]:
                    if not more.strip():
                        break
                    para.append(more.strip())
                bar = " ".join(para)
                bar = bar.split(":", 1)[1].strip() if ":" in bar else bar
                break
        found.append((path.name, title, bar))
    return found


def labs(args):
    entries = lab_descriptions()
    if not entries:
        raise ValueError(f"No labs found in {ROOT / 'labs'}")
    for name, title, bar in entries:
        print(f"{name}\n    {title}\n    bar: {bar or '(none stated)'}")


# --------------------------------------------------------------------- main
COMMANDS = {"train": train, "sample": sample, "eval": evaluate, "grade": grade, "labs": labs}


def main(argv=None):
    """Entry point of the `ganlab` console script."""
    args = build_parser().parse_args(argv)
    try:
        from ganlab.data.tfds import DatasetUnavailableError
    except ImportError:  # pragma: no cover
        DatasetUnavailableError = ValueError
    try:
        COMMANDS[args.command](args)
    except (ValueError, DatasetUnavailableError) as e:
        if os.environ.get("GANLAB_DEBUG"):
            raise
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        sys.stderr.write(f"ganlab {args.command}: error: {message}\n")
        return 2
    except KeyboardInterrupt:
        where = "the journal's last student" if args.command == "grade" else "the last checkpoint"
        sys.stderr.write(f"ganlab {args.command}: interrupted; --resume continues from {where}\n")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
