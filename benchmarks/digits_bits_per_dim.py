"""Issue 13's digits table: every digits model in the zoo that has a likelihood, in bits/dim, measured in one run.

    python benchmarks/digits_bits_per_dim.py [--skip ddpm-digits] [--threads 1]

One protocol for every row, the one `genzoo eval NAME --metric nll` uses (the metric is called
through genzoo.metrics.evaluate, not re-implemented): the 360 test digits, 17 levels; continuous
models are scored on uniformly dequantized data, (k + u) / 17, where bits/dim = (NLL / 64 + ln 17) /
ln 2; models of the level indices by their exact mass, NLL / (64 ln 2). Uniform is log2 17 = 4.087.

Rows:
- every pretrained model whose card says dataset `digits` and whose architecture has a likelihood
  (exact, a bound or an estimate: the "kind" column says which), once as `genzoo eval NAME --metric
  nll` and once more per likelihood setting its card was measured with (e.g. k=1000 importance
  samples, given_label=false for a class-conditional model's marginal p(x));
- baselines fitted in this run with `genzoo.training.train`, the same code as `genzoo train`: a
  uniform model (an unfitted K=1 categorical mixture), independent categorical pixels (catmix K=1),
  a full-covariance Gaussian (closed form) and PPCA q=40 / FA q=30, the issue's anchor settings;
- the models issue 13 names that are not published yet, marked "not published".

Beside each row: the issue's measured anchor for that kind of model, where there is one.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

# The measured anchors (bits/dim, this protocol), keyed by the zoo model they compare with.
ANCHORS = {
    "uniform": ("uniform", 4.087),
    "catmix K=1": ("independent categorical", 2.44),
    "catmix-digits": ("categorical mixture K=10", 2.23),
    "gmm-digits": ("best sklearn GaussianMixture", 2.71),
    "bayes-gaussian-digits": ("class-conditional Gaussian", 2.77),
    "realnvp-digits": ("nflows MAF", 2.76),
    "fa q=30": ("FA q=30", 2.99),
    "fa-digits": ("FA q=30", 2.99),
    "ppca q=40": ("PPCA q=40", 3.19),
    "ppca-digits": ("PPCA q=40", 3.19),
}
# What issue 13 asks to see in the table (besides whatever else is published on digits).
EXPECTED = ("bayes-gaussian-digits", "gmm-digits", "vbgmm-digits", "catmix-digits", "ppca-digits", "fa-digits",
            "realnvp-digits", "vae-digits", "ddpm-digits")
# (row name, architecture, model config, data view, trainer step options); None options: not trained.
BASELINES = (
    ("uniform", "catmix", {"components": 1}, "levels", None),
    ("catmix K=1", "catmix", {"components": 1}, "levels", {}),
    ("ppca q=40", "ppca", {"latent_dim": 40}, "dequantized", {}),
    ("fa q=30", "fa", {"latent_dim": 30}, "dequantized", {"max_iterations": 2000, "tolerance": 1e-5}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", nargs="*", default=[], help="pretrained names to leave out (e.g. slow bounds)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    import genzoo

    torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, architecture, config, view, step in BASELINES:
            rows.append(_measure(name, _baseline(architecture, config, view, step, Path(scratch) / name), {},
                                 how=_recipe(architecture, config, view, step)))
    rows.append(_measure("gaussian", _closed_form_gaussian(), {}, how="full covariance, Gaussian.fit_closed_form"))
    published = _digits_models()
    for name in published:
        if name in args.skip:
            continue
        model = genzoo.load(name)
        for setting in _card_settings(name):
            rows.append(_measure(name, model, setting, how=f"genzoo eval {name} --metric nll" + "".join(
                f" --likelihood {k}={v}" if k not in ("n", "sampler") else f" --{k} {v}" for k, v in setting.items())))
    missing = [name for name in EXPECTED if name not in published]
    _print(rows, missing, [name for name in args.skip if name in published], torch.__version__)


def _digits_models() -> list[str]:
    """Pretrained names whose card says digits and whose architecture has a likelihood of some kind."""
    import genzoo
    from genzoo.capabilities import LIKELIHOOD_CAPABILITIES

    names = []
    for name in genzoo.list_models(pretrained=True):
        info = genzoo.info(name)
        if info.pretrained.dataset == "digits" and LIKELIHOOD_CAPABILITIES & set(info.architecture.capabilities):
            names.append(name)
    return names


def _card_settings(name: str) -> list[dict[str, str]]:
    """The default setting, then each setting the card's bits/dim was measured with ('bits/dim[k=1000]')."""
    import genzoo

    settings = [{}]
    for key in genzoo.info(name).pretrained.metrics:
        if key.startswith("bits/dim[") and key.endswith("]"):
            settings.append(dict(part.split("=", 1) for part in key[len("bits/dim["):-1].split(",")))
    return settings


def _baseline(architecture: str, config: dict, view: str, step: dict | None, out: Path):
    """Fitted with genzoo's trainer (as `genzoo train` would), or, for step None, a fresh model of the data."""
    import genzoo
    from genzoo.data import load_dataset
    from genzoo.training import train

    if step is None:
        return genzoo.create(architecture, data=load_dataset("digits", "train", optional={"view": view}).data_spec,
                             **config)
    train(architecture, data="digits", out=out, model=config, data_options={"view": view}, step=step, progress=False)
    return genzoo.load(out)


def _closed_form_gaussian():
    """The full-covariance Gaussian's maximum-likelihood fit on the dequantized training digits."""
    import genzoo
    from genzoo.data import load_dataset

    train = load_dataset("digits", "train", optional={"view": "dequantized"})
    model = genzoo.create("gaussian", data=train.data_spec)
    model.fit_closed_form(train.tensors()[0])
    return model


def _recipe(architecture: str, config: dict, view: str, step: dict | None) -> str:
    if step is None:
        return f"unfitted {architecture} " + " ".join(f"{k}={v}" for k, v in config.items())
    words = [f"genzoo train {architecture} --data digits --set data.view={view}"]
    words += [f"--set model.{k}={v}" for k, v in config.items()] + [f"--set step.{k}={v}" for k, v in step.items()]
    return " ".join(words)


def _measure(name: str, model, setting: dict[str, str], *, how: str) -> dict:
    """bits/dim of `model` by the registered nll metric; `setting` holds --likelihood options and n/sampler."""
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest

    request_fields = {k: setting[k] for k in ("n", "sampler") if k in setting}
    likelihood = {k: v for k, v in setting.items() if k not in request_fields}
    request = EvalRequest(data="digits", likelihood_options=likelihood, command=how, **request_fields)
    start = time.perf_counter()
    results = {r.name: r for r in evaluate(model, "nll", request)}
    seconds = time.perf_counter() - start
    kind = results["nll"].notes.split(", ")[1]
    label = name + (f" [{','.join(f'{k}={v}' for k, v in setting.items())}]" if setting else "")
    return {"name": label, "anchor": ANCHORS.get(name), "bits": results["bits/dim"].value, "kind": kind,
            "how": how, "seconds": seconds}


def _print(rows: list[dict], missing: list[str], skipped: list[str], torch_version: str) -> None:
    print(f"digits, 360 test images, 17 levels, bits/dim by genzoo's nll metric (torch {torch_version}); "
          f"uniform = log2 17 = {math.log2(17):.3f}\n")
    print("| model | bits/dim | issue anchor | kind | measured by | s |")
    print("|---|---|---|---|---|---|")
    for row in sorted(rows, key=lambda r: r["bits"]):
        anchor = _anchor(row["anchor"])
        print(f"| {row['name']} | {row['bits']:.3f} | {anchor} | {row['kind']} | `{row['how']}` | {row['seconds']:.1f} |")
    for name in missing:
        print(f"| {name} | not published | {_anchor(ANCHORS.get(name))} |  |  |  |")
    for name in skipped:
        print(f"| {name} | skipped (--skip) |  |  |  |  |")
    print("\nA conditional model's plain row is log p(x | y) (the metric passes the test labels); a card setting such "
          "as given_label=false gives its marginal log p(x). Bounds are upper bounds on the NLL.")
    print("Issue 13's anchors (bits/dim): " + ", ".join(
        f"{label} {value}" for label, value in sorted(set(ANCHORS.values()), key=lambda a: a[1])) + ".")


def _anchor(anchor: tuple[str, float] | None) -> str:
    return f"{anchor[1]:g} ({anchor[0]})" if anchor else ""


if __name__ == "__main__":
    main()
