"""``batchlab lab noise-scale|throughput|sweep|scaling|sharpness``: the lab's commands.

``add_arguments(parser)`` fills the main CLI's ``lab`` parser; ``main(args)`` runs the
chosen command and returns the exit code: 2, with one line naming the argument and its
allowed range, for bad arguments; 1, with one line, when the user's workload code fails;
130 on Ctrl-C. ``python -m batchlab.lab.cli`` runs it standalone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from batchlab.argtypes import USAGE_ERROR, OneLineParser, float_in, int_in

COMMANDS = ("noise-scale", "throughput", "sweep", "scaling", "sharpness")
FIELDS = {"batch_size": "--batch-size", "batch_sizes": "--batch-sizes", "b_small": "--b-small",
          "b_big": "--b-big", "base_batch": "--base-batch", "device": "--device",
          "out": "--out", "workload": "--workload", "lrs": "--lrs", "draws": "--draws",
          "executor": "--executor", "address": "--address", "workers": "--workers"}
RESUME = "--resume"  # how the Python API's ``resume=True`` is spelt here
INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's help ends with its default, unless the default is unset (None, a
    flag's False) or the help already says what happens without it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or action.default is False or "default" in text:
            return text
        return super()._get_help_string(action)


def integer(s: str) -> int:
    """Any integer: batch sizes are bounded by the workload's N, which the API checks."""
    try:
        return int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {s!r}") from None


def int_list(low: int | None = None, high: int | None = None) -> Callable[[str], list[int]]:
    """Comma-separated integers (sorted, without repeats), each in [low, high] if given."""
    one = int_in(low, high) if low is not None and high is not None else integer
    what = f"integers between {low} and {high}" if low is not None else "integers"

    def parse(s: str) -> list[int]:
        try:
            return sorted({one(p) for p in s.split(",") if p.strip()}) or [one("")]
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"must be comma-separated {what}, "
                                             f"got {s!r}") from None
    return parse


def lr_grid(s: str) -> list[float]:
    """``LOW:HIGH:COUNT`` (a log grid) or comma-separated rates, each in (0, 100]."""
    from batchlab.lab.grids import log_grid

    msg = f"must be LOW:HIGH:COUNT (0 < LOW <= HIGH <= 100, 1 <= COUNT <= 50) or " \
          f"comma-separated rates in (0, 100], got {s!r}"
    try:
        if ":" in s:
            lo, hi, n = s.split(":")
            lo_f, hi_f, n_i = float(lo), float(hi), int(n)
            if not (0 < lo_f <= hi_f <= 100 and 1 <= n_i <= 50):
                raise ValueError
            return log_grid(lo_f, hi_f, n_i)
        v = sorted({float(p) for p in s.split(",") if p.strip()})
        if not v or not all(0 < x <= 100 for x in v):
            raise ValueError
        return v
    except ValueError:
        raise argparse.ArgumentTypeError(msg) from None


def _common(p: argparse.ArgumentParser, executor: bool = True) -> None:
    p.add_argument("--workload", default="digits-mlp",
                   help="digits-mlp, digits-cnn, cancer-logreg, or a .py file with "
                        "model() and data()")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                   help="where the trials compute")
    p.add_argument("--out", help="result directory (default: results/COMMAND-WORKLOAD)")
    p.add_argument("--resume", action="store_true",
                   help="continue a run in --out, skipping trials already recorded")
    p.add_argument("--seed", type=int_in(0, 2**31 - 1), default=0,
                   help="first seed (the next ones follow it)")
    p.add_argument("--threads", type=int_in(1, 256), help="torch CPU threads per trial "
                   "(default: the workload's measured best)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-png", action="store_true", help="write HTML figures only")
    if executor:
        p.add_argument("--executor", default="local", choices=("serial", "local", "ray"),
                       help="serial: in this process; local: a process pool; ray: a Ray "
                            "cluster (--address) or a local Ray")
        p.add_argument("--workers", type=int_in(1, 1024), default=None,
                       help="parallel trials (default: CPU count / --threads)")
        p.add_argument("--address", default=None,
                       help="Ray cluster address HOST:PORT (ray.init(address=...)); default: "
                            "start a local Ray")


def _seeds(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seeds", type=int_in(1, 1000), default=1,
                   help="seeds per setting (--seed, --seed + 1, ...)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the lab's sub-commands to ``parser`` (the main CLI's ``lab`` parser).

    Defaults equal the Python API's (``tests/lab/test_lab_cli.py`` checks); list defaults
    are given as the text a user would type, so ``--help`` shows them that way. Batch sizes
    are parsed as plain integers: their bound is the workload's N, checked by the API."""
    sub = parser.add_subparsers(dest="lab_command", required=True, metavar="COMMAND",
                                parser_class=type(parser))

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, formatter_class=HelpFormatter)

    batches = "comma-separated, each between 1 and the workload's N"
    p = command("noise-scale", "gradient noise scale: exact, two-batch, tracked")
    _common(p)
    _seeds(p)
    p.add_argument("--method", choices=("auto", "hooks", "vmap"), default="auto",
                   help="per-example gradients: hooks (Linear/Conv2d layers), vmap "
                        "(torch.func), auto (hooks where every layer allows)")
    p.add_argument("--b-small", type=integer, default=16,
                   help="small batch of the two-batch estimate (below --b-big)")
    p.add_argument("--b-big", type=integer, default=256,
                   help="big batch of the two-batch estimate (2 to the workload's N)")
    p.add_argument("--draws", type=int_in(2, 100_000), default=64,
                   help="batch pairs drawn for the two-batch estimate")
    p.add_argument("--batch-size", type=integer, default=32,
                   help="training batch size while the noise scale is tracked")
    p.add_argument("--lr", type=float_in(1e-6, 100), default=None,
                   help="training learning rate (default: the workload's)")
    p.add_argument("--train-steps", type=int_in(1, 10**7), default=200,
                   help="training steps after the first measurement")
    p.add_argument("--noise-every", type=int_in(1, 10**7), default=20,
                   help="steps between exact noise-scale measurements while training")

    p = command("throughput", "samples/s and peak memory vs batch size (trials run one at a "
                "time, as timings must not share the machine)")
    _common(p, executor=False)
    p.add_argument("--batch-sizes", type=int_list(), default="1,8,32,128,512",
                   help=f"batch sizes to time, {batches}")
    p.add_argument("--steps", type=int_in(1, 100_000), default=20,
                   help="training steps per timed repeat")
    p.add_argument("--repeats", type=int_in(1, 1000), default=5,
                   help="timed repeats (samples/s from their median)")
    p.add_argument("--warmup", type=int_in(0, 100_000), default=5,
                   help="untimed steps before the repeats")

    p = command("sweep", "steps to a target per batch size -> critical batch size")
    _common(p)
    _seeds(p)
    p.add_argument("--batch-sizes", type=int_list(), default="4,16,64,256",
                   help=f"batch sizes, {batches}")
    p.add_argument("--lrs", type=lr_grid, default="0.03:3:5",
                   help="learning rates tried at each batch size: LOW:HIGH:COUNT (a log "
                        "grid) or comma-separated")
    p.add_argument("--max-steps", type=int_in(1, 10**8), default=2000,
                   help="step budget per trial (one that misses the target records no hit)")
    p.add_argument("--target-loss", type=float_in(0, 1e6), default=None,
                   help="training loss to reach (default: the workload's, unless "
                        "--target-accuracy is given)")
    p.add_argument("--target-accuracy", type=float_in(0, 1), default=None,
                   help="training accuracy to reach, instead of a loss")
    p.add_argument("--momentum", type=float_in(0, 0.999), default=0.0, help="SGD momentum")

    p = command("scaling", "linear scaling rule, with and without warm-up")
    _common(p)
    _seeds(p)
    p.add_argument("--batch-sizes", type=int_list(), default="32,128,512",
                   help=f"batch sizes, {batches}")
    p.add_argument("--base-batch", type=integer, default=32,
                   help="B0 of the rule lr = base-lr * B / B0 (1 to the workload's N)")
    p.add_argument("--base-lr", type=float_in(1e-6, 100), default=None,
                   help="learning rate at --base-batch (default: the workload's)")
    p.add_argument("--warmup-steps", type=int_list(0, 10**7), default="0,50",
                   help="linear warm-up lengths to compare, comma-separated")
    p.add_argument("--epochs", type=float_in(0.01, 10_000), default=5.0,
                   help="epochs per trial")

    p = command("sharpness", "largest Hessian eigenvalue and ε-sharpness vs B")
    _common(p)
    _seeds(p)
    p.add_argument("--batch-sizes", type=int_list(), default="8,32,128,512",
                   help=f"batch sizes, {batches}")
    p.add_argument("--lr", type=float_in(1e-6, 100), default=None,
                   help="learning rate at every batch size (default: the workload's)")
    p.add_argument("--epochs", type=float_in(0.01, 10_000), default=20.0,
                   help="epochs of training before the measurements")
    p.add_argument("--epsilon", type=float_in(1e-9, 1), default=1e-3,
                   help="box size of the ε-sharpness, relative to each weight (+1)")
    p.add_argument("--power-iters", type=int_in(1, 10_000), default=50,
                   help="Hessian-vector power iterations for the largest eigenvalue")
    p.add_argument("--ascent-steps", type=int_in(1, 10_000), default=20,
                   help="sign-gradient ascent steps for the ε-sharpness")


def _run(args: argparse.Namespace) -> Any:
    """Dispatch to the Python API with the parsed arguments."""
    import torch

    from batchlab.lab import api
    from batchlab.lab.executors import Executor
    from batchlab.lab.workloads import resolve

    if args.device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device: cuda is not available on this machine (allowed here: cpu)")
    w = resolve(args.workload)
    cmd = args.lab_command
    out = Path(args.out) if args.out else Path("results") / f"{cmd}-{w.name}"
    if cmd == "throughput":
        executor = Executor("serial")
    else:
        threads = args.threads or w.threads  # default: fill the cores, no oversubscription
        workers = args.workers or max(1, Executor().workers // threads)
        executor = Executor(args.executor, workers, args.address)
    seeds = [args.seed + i for i in range(getattr(args, "seeds", 1))]
    run = {"out": out, "executor": executor, "resume": args.resume,
           "progress": not args.no_progress, "png": not args.no_png,
           "args": {k: v for k, v in vars(args).items() if k != "lab_missing"
                    and not callable(v)}}
    common = {"device": args.device, "threads": args.threads, **run}
    ref = args.workload
    if cmd == "noise-scale":
        return api.noise_scale(ref, seeds=seeds, b_small=args.b_small, b_big=args.b_big,
                               draws=args.draws, batch_size=args.batch_size, lr=args.lr,
                               train_steps=args.train_steps, noise_every=args.noise_every,
                               method=args.method, **common)
    if cmd == "throughput":
        return api.throughput(ref, args.batch_sizes, steps=args.steps, repeats=args.repeats,
                              warmup=args.warmup, **common)
    if cmd == "sweep":
        return api.sweep(ref, args.batch_sizes, args.lrs, seeds=seeds,
                         max_steps=args.max_steps, target_loss=args.target_loss,
                         target_accuracy=args.target_accuracy, momentum=args.momentum,
                         **common)
    if cmd == "scaling":
        return api.scaling(ref, args.batch_sizes, base_batch=args.base_batch,
                           base_lr=args.base_lr, warmup_steps=args.warmup_steps,
                           epochs=args.epochs, seeds=seeds, **common)
    return api.sharpness(ref, args.batch_sizes, lr=args.lr, epochs=args.epochs, seeds=seeds,
                         epsilon=args.epsilon, power_iters=args.power_iters,
                         ascent_steps=args.ascent_steps, **common)


def _flag(message: str) -> str:
    """``batch_sizes must ...`` -> ``argument --batch-sizes: must ...``."""
    head, _, rest = message.partition(" ")
    head = head.rstrip(":")
    return f"argument {FIELDS[head]}: {rest}" if head in FIELDS else message


def main(args: argparse.Namespace) -> int:
    """Run the parsed ``lab`` command; print its table and where the results went.

    Every error a user can cause is one line on stderr: a bad argument exits 2, naming its
    flag; the user's workload code failing (import, model on data) or a lost Ray cluster
    exits 1; Ctrl-C exits 130, saying how many trials are recorded (``--resume`` finishes).
    """
    prog = f"batchlab lab {getattr(args, 'lab_command', '')}".strip()
    try:  # torch and plotly: seconds, so Ctrl-C may come here too
        from batchlab.lab.api import Interrupted, ResultsExist
        from batchlab.lab.workloads import WorkloadError, describe_error
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return INTERRUPTED
    try:
        exp = _run(args)
    except ResultsExist as exc:
        print(f"{prog}: error: {_flag(str(ResultsExist(exc.out, RESUME)))}", file=sys.stderr)
        return USAGE_ERROR
    except ValueError as exc:
        print(f"{prog}: error: {_flag(str(exc))}", file=sys.stderr)
        return USAGE_ERROR
    except (WorkloadError, ConnectionError, OSError) as exc:  # e.g. Ray lost, disk full
        message = str(exc) if isinstance(exc, WorkloadError) else describe_error(exc)
        print(f"{prog}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        message = str(Interrupted(exc.done, exc.total, exc.out, RESUME)) \
            if isinstance(exc, Interrupted) else "interrupted"
        print(f"{prog}: {message}", file=sys.stderr)
        return INTERRUPTED
    print(f"{exp.kind} on {exp.workload}: {len(exp.records)} trials")
    print(exp.table)
    print(f"results: {exp.out}")
    for w in exp.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="batchlab lab",
                           description="Measure batch-size effects on PyTorch models.")
    add_arguments(parser)
    return parser


def run_cli(argv: Sequence[str] | None = None) -> int:
    return main(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(run_cli())
