"""The training loop shared by every family.

The family's step (see `genzoo.training.steps`) says what to minimise or how to fit; this module
does the rest the same way for all: seeding, batches, an optimizer, schedule and gradient clipping
per parameter group, the step's after-update hook and shared state, EMA, DDP under torchrun, logs,
sample grids, atomic checkpoints (periodic, final and on SIGINT/SIGTERM), exact resume and stopping
on NaN/inf. Everything lands in one `out` folder:

    out/config.json, model.safetensors, README.md, SHA256SUMS   the loadable checkpoint
    out/train/run.json                                         the RunConfig (what --resume continues)
    out/train/metrics.jsonl, loss.png, samples/step_XXXXXX.png  logs
    out/train/state/                                           the resumable state
"""

from __future__ import annotations

import contextlib
import json
import math
import shlex
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from genzoo.atomic import write_text
from genzoo.errors import CheckpointError, ConfigError, GenzooError
from genzoo.factory import build_model
from genzoo.registry import get_registry
from genzoo.training import distributed
from genzoo.training.data import make_stream, open_dataset
from genzoo.training.ema import EMA
from genzoo.training.errors import TrainingDiverged, TrainingInterrupted
from genzoo.training.logs import MetricsLog, plot_losses, progress_bar
from genzoo.training.optim import build_optimizer, lr_at, set_lr
from genzoo.training.outputs import export_checkpoint, hardware, with_weights, write_samples
from genzoo.training.run_config import RunConfig
from genzoo.training.setup import (
    check_fit_settings,
    check_groups,
    describe_data,
    ema_live_names,
    group_configs,
    load_initial_weights,
    load_step,
    model_values,
    trainer_name,
)
from genzoo.training.signals import stop_on_signals
from genzoo.training.state import load_state, read_info, read_step_state, save_state
from genzoo.training.steps import FitData, FitStep

TRAIN_DIR = "train"


@dataclass
class TrainResult:
    """Where the checkpoint is, how far the run got ("trained for 1000 steps", "fitted by EM in
    12 iterations") and the last logged metrics."""

    path: Path
    step: int
    metrics: dict[str, float] = field(default_factory=dict)
    summary: str = ""


def run(config: RunConfig, out: str | Path, *, resume: bool = False, command: str | None = None,
        progress: bool = True, report: Callable[[str], None] | None = None) -> TrainResult:
    """Train (or fit) `config.architecture` on `config.dataset` into the folder `out`.

    `report` receives one line about the training data before the run starts (the CLI prints it), and one
    naming the tensors that `--init` had no weights for (a warning when there is no `report`).
    """
    processes, device, created = distributed.start(config.train.device)
    try:
        trainer = Trainer(config, Path(out), processes, device, command=command, progress=progress)
        if report is not None and processes.is_main:
            report(describe_data(config.dataset, trainer.dataset))
        if trainer.fresh_tensors and not resume and processes.is_main:  # on resume the saved state replaces them
            (report or warnings.warn)(describe_fresh(config.init, trainer.fresh_tensors))
        result = trainer.run(resume)
        if created:  # every rank done before the group is torn down (a rank leaving early can abort the other)
            torch.distributed.barrier()
        return result
    finally:
        if created:
            torch.distributed.destroy_process_group()


def describe_fresh(source: str, names: list[str]) -> str:
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return f"init: {source} has no weights for {len(names)} tensors, which keep their initialization: {shown}"


def equivalent_command(config: RunConfig, out: Path) -> str:
    """A `genzoo train` command line that reproduces `config` (for runs started from Python)."""
    defaults = type(config.train)().model_dump(mode="json")
    values = {f"train.{k}": v for k, v in config.train.model_dump(mode="json", exclude={"groups"}).items()
              if v != defaults[k]}
    for group, overrides in config.train.groups.items():
        values |= {f"train.groups.{group}.{k}": v for k, v in overrides.model_dump(mode="json", exclude_none=True).items()}
    for section in ("model", "data", "step"):
        values |= {f"{section}.{k}": v for k, v in getattr(config, section).items()}
    args = ["genzoo", "train", config.architecture, "--data", config.dataset]
    args += ["--trainer", config.trainer] if config.trainer else []
    args += ["--init", config.init] if config.init else []
    for key, value in values.items():
        args += ["--set", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return shlex.join([*args, "--out", str(out)])


class Trainer:
    def __init__(self, config: RunConfig, out: Path, processes: distributed.Processes, device: torch.device,
                 *, command: str | None, progress: bool):
        self.spec = get_registry().architecture(config.architecture)
        # The resolved trainer name is part of the run: a resume that names none continues the same one.
        config = config.model_copy(update={"trainer": trainer_name(self.spec, config.trainer)})
        self.config, self.out, self.processes, self.device = config, out, processes, device
        self.train_dir, self.progress = out / TRAIN_DIR, progress and processes.is_main
        self.state_dir = self.train_dir / "state"
        self.command = command or equivalent_command(config, out)
        self.step = load_step(self.spec, config.trainer, config.step)
        if isinstance(self.step, FitStep):
            check_fit_settings(config.train, self.spec.name, self.step)
        else:
            check_groups(config.train, self.step)
            # group -> (its TrainConfig, whether the EMA averages it): resolved before data or model exist,
            # so a bad setting fails at once
            self.per_group = group_configs(config.train, self.step)
        self.dataset = open_dataset(config.dataset, config.data)
        settings = config.train
        torch.manual_seed(settings.seed)  # the same initial weights in every process
        values = model_values(config.model, self.dataset.data_spec, config.dataset)
        self.model = build_model(self.spec, values, source="model").to(device)
        self.fresh_tensors = load_initial_weights(self.model, config.init, self.spec.name) if config.init else []
        torch.manual_seed(settings.seed + processes.rank)  # but different noise in each
        self.batches = make_stream(self.dataset, batch_size=settings.batch_size, seed=settings.seed,
                                   rank=processes.rank, world_size=processes.world_size,
                                   num_workers=settings.num_workers, device=device)
        self.hardware = hardware(device, processes.world_size)
        self.elapsed = 0.0
        self.last_checkpoint: int | None = None
        self.log: MetricsLog | None = None

    # -- the run ---------------------------------------------------------------------------
    def run(self, resume: bool) -> TrainResult:
        fresh, new_folder = not resume and not self.train_dir.exists(), not self.out.exists()
        self._check_out(resume)
        try:
            if isinstance(self.step, FitStep):
                return self._fit()
            return self._train(resume)
        except BaseException:  # an error or Ctrl-C: a gradient run's signal handler checkpoints before raising
            if fresh and self.last_checkpoint is None and self.processes.is_main:
                self._remove_failed_run(new_folder)
            raise

    def _remove_failed_run(self, new_folder: bool) -> None:
        """A fresh run that fails before its first checkpoint (a singular covariance, data outside a flow's
        support) leaves no folder behind: a run.json and an empty log would read as a run to resume."""
        shutil.rmtree(self.train_dir, ignore_errors=True)
        if new_folder:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only when nothing else was written there

    def _check_out(self, resume: bool) -> None:
        if resume:
            read_info(self.state_dir)  # a clear error when there is nothing to resume
            saved = RunConfig.model_validate_json((self.train_dir / "run.json").read_text(encoding="utf-8"))
            # Runs saved before trainers had names say none: they ran the default.
            saved = saved.model_copy(update={"trainer": trainer_name(self.spec, saved.trainer)})
            changed = saved.differences(self.config)
            if changed:
                raise ConfigError(f"--resume: {self.out} was trained with different {', '.join(changed)}; "
                                  "only steps and output cadence may change")
        elif (self.state_dir / "state.json").exists() or (self.train_dir / "metrics.jsonl").exists():
            # a finished fit keeps no resumable state, but its log (and model) must not be overwritten either
            raise GenzooError(f"{self.out} already holds a training run; pass --resume to continue it or choose another --out")
        if self.processes.is_main:
            write_text(self.train_dir / "run.json", self.config.model_dump_json(indent=1) + "\n")

    def _train(self, resume: bool) -> TrainResult:
        settings, step, model = self.config.train, self.step, self.model
        per_group = self.per_group
        params = {g: [p for p in step.parameters(model, g) if p.requires_grad] for g in step.groups}
        optimizers = {g: build_optimizer(params[g], per_group[g][0]) for g in step.groups}
        live = ema_live_names(model, params, {g: averaged for g, (_, averaged) in per_group.items()})
        self.step_state = step.init_state(model)  # first: a step may copy weights in (IcGAN's frozen generator),
        self.ema = EMA(model, settings.ema_decay, live) if settings.ema_decay else None  # which the average starts from
        start = 0
        if resume:
            info, rng = load_state(self.state_dir, model=model, ema=self.ema, optimizers=optimizers)
            if info["world_size"] != self.processes.world_size:
                raise CheckpointError(f"{self.state_dir}: saved by {info['world_size']} processes; resume with as many")
            distributed.restore_rng(rng, self.processes, self.device)
            self.batches.restore(info["data"])
            self.step_state.clear()
            self.step_state.update({k: v.to(self.device) for k, v in read_step_state(self.state_dir).items()})
            start, self.elapsed, self.last_checkpoint = info["step"], info["elapsed_s"], info["step"]
        self.log = MetricsLog(self.train_dir / "metrics.jsonl", resume_step=start if resume else None) if self.processes.is_main else None
        several = len(step.groups) > 1
        loss_of = self._loss_function(several)
        lrs: dict[str, float] = {}
        totals: dict[str, torch.Tensor] = {}
        window = {"steps": 0, "examples": 0, "time": time.perf_counter()}
        metrics: dict[str, float] = {}
        batches = iter(self.batches)
        began = time.perf_counter() - self.elapsed
        with stop_on_signals() as stop, progress_bar(settings.steps, start, self.progress) as bar:
            for index in range(start, settings.steps):
                updates = step.updates(index)
                for group in updates:
                    optimizer, chosen = optimizers[group], per_group[group][0]
                    lrs[group] = lr_at(chosen, index)
                    set_lr(optimizer, lrs[group])
                    batch = next(batches).replace(step=index)
                    losses = loss_of(batch, group)
                    optimizer.zero_grad(set_to_none=True)
                    losses["loss"].backward()
                    if chosen.grad_clip is not None:
                        torch.nn.utils.clip_grad_norm_(params[group], chosen.grad_clip)
                    optimizer.step()
                    with torch.no_grad():
                        step.after_update(model, group, self.step_state)
                    prefix = f"{group}/" if several else ""
                    for key, value in losses.items():
                        totals[prefix + key] = totals.get(prefix + key, 0.0) + value.detach()
                if self.ema is not None:
                    self.ema.update()
                done = index + 1
                window["steps"] += 1
                window["examples"] += settings.batch_size * len(updates)
                bar.update(1)
                self.elapsed = time.perf_counter() - began
                if done % settings.log_every == 0 or done == settings.steps:
                    lr_values = {(f"lr/{g}" if several else "lr"): v for g, v in lrs.items()}
                    metrics = self._log_window(done, lr_values, totals, window, bar)
                paused = time.perf_counter()  # sample grids and checkpoints do not count against throughput
                if settings.sample_every and (done % settings.sample_every == 0 or done == settings.steps):
                    self._samples(done)
                if done % settings.checkpoint_every == 0 and done != settings.steps:
                    self._checkpoint(done, totals, optimizers)
                window["time"] += time.perf_counter() - paused
                if distributed.any_rank(bool(stop), self.processes, self.device):
                    self._checkpoint(done, totals, optimizers)
                    raise TrainingInterrupted(f"{stop.signal_name or 'a signal'} at step {done}: checkpoint saved in "
                                              f"{self.out}; continue with --resume")
        metrics |= self._finish(settings.steps)
        self._checkpoint(settings.steps, totals, optimizers)
        return TrainResult(self.out, settings.steps, metrics, f"trained for {settings.steps} steps")

    def _finish(self, done: int) -> dict[str, float]:
        """Run the step's `finish` on the exported weights; its buffer changes reach the EMA too."""
        model = with_weights(self.model, self.ema.state if self.ema else None)
        values = {k: float(v) for k, v in self.step.finish(model, FitData(self.batches.epoch_batches,
                                                                         self.batches.everything)).items()}
        if self.ema is not None:
            self.ema.load(model.state_dict())
        self._require_finite(done, values, what="finish metric")
        if values and self.log is not None:
            self.log.append({"step": done, "epoch": self.batches.epoch, **{f"finish/{k}": v for k, v in values.items()}})
        return values

    def _loss_function(self, several_groups: bool):
        """step.loss, called through DistributedDataParallel when several processes train."""
        if not self.processes.distributed:
            return lambda batch, group: self.step.loss(self.model, batch, group, self.step_state)
        from torch.nn.parallel import DistributedDataParallel

        wrapped = DistributedDataParallel(
            _LossModule(self.model, self.step, self.step_state),
            device_ids=[self.device] if self.device.type == "cuda" else None,
            find_unused_parameters=several_groups,  # a critic update leaves the generator unused
        )
        return wrapped

    # -- logs, samples, checkpoints --------------------------------------------------------
    def _log_window(self, done: int, lrs: dict[str, float], totals: dict, window: dict, bar) -> dict[str, float]:
        names = sorted(totals)
        means = torch.stack([totals[n] for n in names]).float() / window["steps"]
        if self.processes.distributed:
            torch.distributed.all_reduce(means)
            means /= self.processes.world_size
        values = dict(zip(names, means.tolist()))
        self._require_finite(done, values, what="loss")
        seconds = time.perf_counter() - window["time"]
        record = {"step": done, "epoch": self.batches.epoch, **lrs, **values,
                  "examples_per_s": window["examples"] / max(seconds, 1e-9), "elapsed_s": round(self.elapsed, 3)}
        if self.log is not None:
            self.log.append(record)
        bar.set_postfix({k: f"{v:.4g}" for k, v in values.items() if k.endswith("loss")} | {"ex/s": f"{record['examples_per_s']:.0f}"})
        totals.clear()
        window.update(steps=0, examples=0, time=time.perf_counter())
        return values

    def _require_finite(self, done: int, values: dict[str, float], what: str) -> None:
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if not bad:
            return
        where = (f"the last good checkpoint (step {self.last_checkpoint}) is kept in {self.out}"
                 if self.last_checkpoint is not None else "no checkpoint had been written yet")
        name, value = next(iter(bad.items()))
        raise TrainingDiverged(f"training diverged by step {done}: {what} {name} is {value}; {where}")

    def _weights_finite(self, done: int) -> None:
        weights = [t for t in self.model.state_dict().values() if t.is_floating_point()]
        finite = torch.stack([torch.isfinite(t).all() for t in weights]).all().item() if weights else True
        self._require_finite(done, {} if finite else {"weights": float("nan")}, what="model")

    def _samples(self, done: int) -> None:
        if self.processes.is_main:
            model = with_weights(self.model, self.ema.state if self.ema else None)
            write_samples(model, self.train_dir / "samples" / f"step_{done:06d}.png", self.config.train.num_samples,
                          self.config.train.seed)

    def _checkpoint(self, done: int, totals: dict, optimizers: dict) -> None:
        """Write state + checkpoint, but only from weights and losses that are all finite."""
        pending = {k: v.item() for k, v in totals.items()}
        self._require_finite(done, pending, what="loss")
        self._weights_finite(done)
        rng = distributed.gather_rng(self.processes, self.device)
        if self.processes.is_main:
            info = {"step": done, "data": self.batches.state(), "elapsed_s": self.elapsed,
                    "world_size": self.processes.world_size}
            ema = self.ema.state if self.ema else None
            save_state(self.state_dir, model=self.model, ema=ema, optimizers=optimizers, rng=rng, info=info,
                       step_state=self.step_state)
            self._export(with_weights(self.model, ema), f"trained for {done} steps")
        self.last_checkpoint = done

    def _export(self, model, summary: str) -> None:
        export_checkpoint(model, self.out, architecture=self.spec.name, family=self.spec.family,
                          dataset=self.config.dataset, command=self.command, summary=summary,
                          elapsed_s=self.elapsed, hardware_name=self.hardware)
        if self.log is not None:
            plot_losses(self.log.records(), self.train_dir / "loss.png")

    # -- non-gradient fits -----------------------------------------------------------------
    def _fit(self) -> TrainResult:
        if self.processes.distributed:
            raise GenzooError(f"{self.spec.name!r} is fitted without gradients, in one process; run it without torchrun")
        self.log = MetricsLog(self.train_dir / "metrics.jsonl", resume_step=None)
        self.ema = None
        last: dict[str, float] = {}
        began = time.perf_counter()

        def record(iteration: int, values: dict[str, Any]) -> None:
            numbers = {k: float(v) for k, v in values.items()}
            self._require_finite(iteration, numbers, what="fit metric")
            self.log.append({"iteration": iteration, **numbers, "elapsed_s": round(time.perf_counter() - began, 3)})
            last.clear()
            last.update(numbers)

        data = FitData(self.batches.epoch_batches, self.batches.everything)
        self.step.fit(self.model, data, record)
        self.elapsed = time.perf_counter() - began
        self._weights_finite(0)
        if self.config.train.sample_every:
            self._samples(0)
        iterations = len(self.log.records())
        summary = f"fitted by {self.step.method} in {iterations} iteration{'s' * (iterations != 1)}"
        self._export(self.model, summary)
        return TrainResult(self.out, 0, last, summary)


class _LossModule(torch.nn.Module):
    """Puts step.loss behind forward(), so DistributedDataParallel sees the call and syncs gradients.

    The step state is held here rather than passed to forward: DDP copies dict arguments when it
    moves inputs to the GPU, and the step's writes to the state must reach the trainer's dict.
    """

    def __init__(self, model: torch.nn.Module, step, state: dict[str, torch.Tensor]):
        super().__init__()
        self.model = model
        self.step = step
        self.state = state

    def forward(self, batch, group: str) -> dict[str, torch.Tensor]:
        return self.step.loss(self.model, batch, group, self.state)
