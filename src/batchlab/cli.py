"""Command line: ``batchlab serve | scene | epoch-plan | lab ...``.

Bad arguments end with one line naming the argument and its allowed range, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from batchlab.argtypes import USAGE_ERROR, OneLineParser, float_in, int_in
from batchlab.core.batching import SAMPLINGS

MAX_PLAN_INDICES = 1_000_000  # epoch-plan prints every index it draws: epochs × n at most this


def _add_scene_args(p: argparse.ArgumentParser) -> None:
    from batchlab.core.scene import LIMITS, RACE_SCHEDULES, RECOMMENDED, SceneSpec

    def lim(name: str) -> tuple[int, int]:
        return int(LIMITS[name].low), int(LIMITS[name].high)

    p.add_argument("--dataset", choices=tuple(RECOMMENDED), default="synthetic")
    p.add_argument("--n", type=int_in(*lim("n")), default=None,
                   help="examples N (default: the dataset's recommended)")
    p.add_argument("--batch-size", type=int_in(*lim("batch_size")), default=32,
                   help="mini-batch size B")
    d = SceneSpec()
    p.add_argument("--lr", type=float_in(LIMITS["lr"].low, LIMITS["lr"].high), default=None,
                   help=f"learning rate (default: the dataset's recommended; {d.lr:g} "
                        "for synthetic)")
    p.add_argument("--epochs", type=int_in(*lim("epochs")), default=None,
                   help=f"epochs (default: the dataset's recommended, {d.epochs} for synthetic)")
    p.add_argument("--seed", type=int_in(*lim("seed")), default=0)
    p.add_argument("--schedule", choices=RACE_SCHEDULES, default="cosine",
                   help="step size: cosine decay to ~0 over each method's updates, or constant")
    p.add_argument("--sampling", choices=SAMPLINGS, default="shuffle")
    p.add_argument("--drop-last", action="store_true")


def build_parser(with_lab: bool = True) -> argparse.ArgumentParser:
    """The whole parser; ``with_lab=False`` skips the lab's options (they import torch)."""
    parser = OneLineParser(prog="batchlab", description="Mini-batch training, computed for real.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    serve = sub.add_parser("serve", help="serve the lesson on http://127.0.0.1:8000")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int_in(1, 65535), default=8000)

    scene = sub.add_parser("scene", help="compute the race of the three methods")
    _add_scene_args(scene)
    scene.add_argument("--json", action="store_true", help="print the whole scene as JSON")

    fig = sub.add_parser("figure", help="export the race or the loss chart (HTML, PNG, SVG)")
    fig.add_argument("kind", choices=("race", "loss"))
    fig.add_argument("--out", required=True, help="file ending in .html, .png, .svg or .json")
    _add_scene_args(fig)

    plan = sub.add_parser("epoch-plan", help="show how an epoch is cut into batches")
    plan.add_argument("--n", type=int_in(1, 100_000), required=True)
    plan.add_argument("--batch-size", type=int_in(1, 100_000), required=True)
    plan.add_argument("--epochs", type=int_in(1, 1000), default=1,
                      help=f"epochs (epochs × n ≤ {MAX_PLAN_INDICES:,})")
    plan.add_argument("--seed", type=int_in(0, 2**32 - 1), default=0)
    plan.add_argument("--sampling", choices=SAMPLINGS, default="shuffle")
    plan.add_argument("--drop-last", action="store_true")
    plan.add_argument("--json", action="store_true")

    lab = sub.add_parser("lab", help="measure batch-size effects on PyTorch models")
    if with_lab:
        try:
            from batchlab.lab.cli import add_arguments
        except ImportError as exc:
            lab.set_defaults(lab_missing=str(exc))
        else:
            add_arguments(lab)
    return parser


def _spec(args: argparse.Namespace) -> Any:
    from batchlab.core.scene import SceneSpec

    fields = ("n", "batch_size", "lr", "epochs", "seed", "schedule", "sampling", "drop_last")
    return SceneSpec.for_dataset(args.dataset, **{f: getattr(args, f) for f in fields})


def _scene(args: argparse.Namespace) -> int:
    from batchlab.core.export import scene_to_dict
    from batchlab.core.scene import build, span

    scene = build(_spec(args))
    if args.json:
        json.dump(scene_to_dict(scene, expand_batches=True), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    d = scene.dataset
    print(f"{d.description}\nModel: {scene.model.name}; minimum at w = {scene.minimum[0]:.6f}, "
          f"b = {scene.minimum[1]:.6f} (J = {scene.min_loss:.6f})")
    print(f"{'method':<12}{'B':>6}{'updates':>9}{'final J':>12}{'roughness':>11}"
          f"{'end/span':>10}")
    for m in scene.methods:
        t = m.trajectory
        loss = f"{t.loss[-1]:>12.6f}" if abs(t.loss[-1]) < 1e5 else f"{t.loss[-1]:>12.4e}"
        end = float(((t.final - scene.minimum) ** 2).sum() ** 0.5) / span(scene)
        tail = (f"   diverged at update {t.diverged_at}" if t.diverged
                else f"{loss}{m.roughness:>11.2f}{end:>10.4f}")
        print(f"{m.label:<12}{m.batch_size:>6}{t.updates:>9}{tail}")
    return 0


def _figure(args: argparse.Namespace) -> int:
    from pathlib import Path

    from batchlab.core.scene import build
    from batchlab.figures import loss_figure, race_figure
    from batchlab.figures.html import standalone_html

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".png", ".svg", ".json"):
        raise ValueError(f"out must end in .html, .png, .svg or .json, got {out.name!r}")
    if not out.parent.is_dir():
        raise ValueError(f"out must be in an existing folder, {out.parent} is not one")
    scene = build(_spec(args))
    fig = race_figure(scene) if args.kind == "race" else loss_figure(scene)
    if out.suffix.lower() == ".html":
        out.write_text(standalone_html(fig), encoding="utf-8")
    elif out.suffix.lower() == ".json":
        out.write_text(fig.to_json())
    else:
        fig.write_image(out, scale=2)
    print(f"wrote {out}")
    return 0


def _epoch_plan(args: argparse.Namespace) -> int:
    import numpy as np

    from batchlab.core.batching import make_plan
    from batchlab.core.export import plan_to_dict

    if args.n * args.epochs > MAX_PLAN_INDICES:
        raise ValueError(f"epochs must be at most {MAX_PLAN_INDICES // args.n} for n={args.n} "
                         f"(epochs × n ≤ {MAX_PLAN_INDICES:,}), got {args.epochs}")
    plan = make_plan(args.n, args.batch_size, args.epochs, np.random.default_rng(args.seed),
                     sampling=args.sampling, drop_last=args.drop_last)
    d = plan_to_dict(plan, args.drop_last)
    if args.json:
        print(json.dumps(d))
        return 0
    print(f"N = {args.n}, B = {args.batch_size}: {d['iterations_per_epoch']} updates per epoch "
          f"({'drop' if args.drop_last else 'keep'} last)")
    for t, (batch, ep) in enumerate(zip(d["batches"], d["epoch"], strict=True), start=1):
        print(f"epoch {ep + 1} update {t}: {batch}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from batchlab.web.app import create_app
    from batchlab.web.settings import Settings

    settings = Settings(host=args.host, port=args.port)
    print(f"batchlab: serving the lesson on http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def _lab(args: argparse.Namespace) -> int:
    missing = getattr(args, "lab_missing", None)
    if missing:
        print(f"batchlab lab: error: the lab needs the 'lab' extra (torch): {missing}",
              file=sys.stderr)
        return USAGE_ERROR
    from batchlab.lab.cli import main as lab_main

    code: int = lab_main(args)
    return code


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _serve, "scene": _scene, "figure": _figure, "epoch-plan": _epoch_plan, "lab": _lab,
}


def _flag(message: str) -> str:
    """Turn a leading field name (``batch_size must ...``) into its flag (``--batch-size``)."""
    head, _, rest = message.partition(" ")
    return f"argument --{head.replace('_', '-')}: {rest}" if head.isidentifier() else message


def _owner(argv: list[str], args: Any, extra: list[str]) -> str:
    """The (sub)command that was given the unrecognised ``extra`` arguments: the deepest one
    whose name comes before all of them (``batchlab lab throughput``, or ``batchlab``)."""
    where, at = "batchlab", 0
    for name in filter(None, (args.command, getattr(args, "lab_command", ""))):
        if name not in argv[at:]:
            break
        i = argv.index(name, at)
        if any(e in argv[at:i] for e in extra):
            break
        where, at = f"{where} {name}", i + 1
    return where


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_lab=bool(argv) and argv[0] == "lab")
    args: Any
    args, extra = parser.parse_known_args(argv)
    if extra:
        print(f"{_owner(argv, args, extra)}: error: unrecognized arguments: {' '.join(extra)}",
              file=sys.stderr)
        return USAGE_ERROR
    try:
        return COMMANDS[args.command](args)
    except ValueError as exc:
        print(f"batchlab {args.command}: error: {_flag(str(exc))}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # output piped into a program that stopped reading (e.g. head)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
