"""`genzoo train`: train an architecture on a registered dataset into a checkpoint folder.

The same command runs under `torchrun --nproc_per_node N` (DDP; rank 0 writes the files).
"""

from __future__ import annotations

import click

from genzoo.cli.options import parse_assignments


def _command_line(architecture: str, dataset: str, trainer: str | None, init: str | None, config_file: str | None,
                  assignments: tuple[str, ...], out: str) -> str:
    """The command as typed (options in canonical order, --device left out), for the model card's recipe."""
    import os
    import shlex

    words = ["genzoo", "train", architecture, "--data", dataset]
    words += ["--trainer", trainer] if trainer else []
    words += ["--init", init] if init else []
    words += ["--config", config_file] if config_file else []
    for assignment in assignments:
        words += ["--set", assignment]
    words += ["--out", out]
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size > 1:
        words = ["torchrun", f"--nproc_per_node={world_size}", "--no-python", *words]
    return shlex.join(words)


@click.command("train")
@click.argument("architecture", required=False)
@click.option("--data", "dataset", help="A registered dataset (see `genzoo datasets`), folder:PATH or npz:FILE.")
@click.option("--trainer", help="One of the architecture's training recipes (default: its first; see `genzoo info`).")
@click.option("--init", help="Fine-tune: start from this checkpoint's weights (a pretrained name, folder or "
                             "hf://org/repo of the same architecture) instead of random ones.")
@click.option("--device", help="cpu, cuda or cuda:N (default: train.device, 'auto' = cuda when available).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML file with [model], [train], [data] and [step] tables.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="model.FIELD=, train.FIELD= (or bare FIELD=), train.groups.GROUP.FIELD=, data.FIELD=, "
                   "step.FIELD= (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Checkpoint folder to write.")
@click.option("--resume", is_flag=True, help="Continue the run saved in --out (ARCHITECTURE and --data may be left out).")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def train_command(architecture, dataset, trainer, init, device, config_file, assignments, out, resume, no_progress) -> None:
    """Train ARCHITECTURE on --data and write a loadable, pushable checkpoint folder to --out."""
    import os
    from pathlib import Path

    from genzoo.training import RunConfig, run
    from genzoo.training.run_config import apply_assignments, build_run_config, read_toml

    sections = read_toml(config_file) if config_file else {}
    saved_path = Path(out) / "train" / "run.json"
    if resume and saved_path.is_file():
        saved = RunConfig.model_validate_json(saved_path.read_text(encoding="utf-8"))
        base = {"model": saved.model, "train": saved.train.model_dump(), "data": saved.data, "step": saved.step}
        sections = {name: {**base[name], **sections.get(name, {})} for name in base}
        architecture, dataset = architecture or saved.architecture, dataset or saved.dataset
        trainer, init = trainer or saved.trainer, init or saved.init
    if not architecture or not dataset:
        raise click.UsageError("give ARCHITECTURE and --data (or --resume an existing --out)")
    values = apply_assignments(sections, parse_assignments(assignments))
    if device:
        values["train"]["device"] = device
    config = build_run_config(architecture, dataset, values, trainer, init)
    # A resumed run's recipe is the equivalent command of its whole saved config (trainer's default).
    command = None if resume else _command_line(architecture, dataset, trainer, init, config_file, assignments, out)
    result = run(config, out, resume=resume, command=command, progress=not no_progress, report=click.echo)
    if os.environ.get("RANK", "0") == "0":  # run() reports from rank 0 only; so does this line
        click.echo(f"wrote {result.path} ({result.summary})")
