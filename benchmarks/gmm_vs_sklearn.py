"""genzoo's Gaussian mixture (EM) beside scikit-learn's GaussianMixture on the same data, in one run.

Data: the 1,437 digits training images, uniformly dequantized ((k + u) / 17, seed 0), as 64-d float32
rows, the SAME numbers for both: genzoo fits them in float32, scikit-learn gets them as float64 (its
default precision: its float32 path stops EM early at lower likelihoods, e.g. 57.20 instead of 57.67
nats for diagonal covariances from seed 2, while genzoo's float32 path follows its float64 one to
1e-6). Same K, covariance type, tolerance on the mean log-likelihood,
iteration cap and variance floor (reg_covar = genzoo's jitter), one thread each, runs interleaved.
Both start from greedy k-means++ seeds (scikit-learn's `init_params="k-means++"`):

- "same seeds": genzoo's EM starts from the very k-means++ points scikit-learn's fit draws for
  random_state=seed (`sklearn.cluster.kmeans_plusplus`, passed as `initial_means`), so both run the
  same EM from the same start: the log-likelihoods and iteration counts must agree, and the times
  compare equal work.
- "own seeds": each library seeds itself (genzoo from torch.Generator().manual_seed(seed)); EM reaches
  a different local optimum per seed (a few percent apart), so medians over seeds are compared.

scikit-learn's n_iter_ counts one more iteration than genzoo on the same path (it scores each M-step at
the next E-step). The tables give medians over seeds 0..R-1 of the mean train log-likelihood (nats per example), the
EM iterations and the fit time (for genzoo with own seeds this includes its k-means++; with same
seeds, scikit-learn's time includes its k-means++ and genzoo's does not, so the ratio there slightly
favours genzoo: seeding takes about 2 ms here).

    OMP_NUM_THREADS=1 python benchmarks/gmm_vs_sklearn.py [--components 10] [--repeats 15]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import statistics
import time

import numpy as np
import torch
from genzoo.data import load_dataset
from genzoo.distributions import GaussianMixture
from sklearn.cluster import kmeans_plusplus
from sklearn.mixture import GaussianMixture as SklearnMixture

SKLEARN_NAMES = {"full": "full", "diagonal": "diag", "spherical": "spherical"}


def genzoo_fit(x: torch.Tensor, array: np.ndarray, covariance: str, args, seed: int,
               same_seeds: bool) -> tuple[float, float, int]:
    mixture = GaussianMixture(args.components, x.shape[1], covariance, jitter=args.jitter)
    seeds = None
    if same_seeds:
        # exactly the points scikit-learn's own fit seeds from: its data, its random_state
        _, indices = kmeans_plusplus(array, args.components, random_state=np.random.RandomState(seed))
        seeds = x[torch.from_numpy(indices)]
    start = time.perf_counter()
    fit = mixture.fit(x, generator=torch.Generator().manual_seed(seed), iterations=args.max_iter,
                      tolerance=args.tol, initial_means=seeds)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        return float(mixture.log_prob(x).double().mean()), seconds, fit.iterations


def sklearn_fit(x: np.ndarray, covariance: str, args, seed: int) -> tuple[float, float, int]:
    mixture = SklearnMixture(args.components, covariance_type=SKLEARN_NAMES[covariance], init_params="k-means++",
                             tol=args.tol, max_iter=args.max_iter, reg_covar=args.jitter, random_state=seed)
    start = time.perf_counter()
    mixture.fit(x)
    seconds = time.perf_counter() - start
    return float(mixture.score(x)), seconds, int(mixture.n_iter_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--components", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=15, help="seeds per library and covariance type")
    parser.add_argument("--tol", type=float, default=1e-3, help="scikit-learn's default")
    parser.add_argument("--max-iter", type=int, default=100, help="scikit-learn's default")
    parser.add_argument("--jitter", type=float, default=1e-6, help="variance floor (scikit-learn's reg_covar default)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = load_dataset("digits", "train", optional={"view": "dequantized", "seed": 0})
    x = dataset.tensors()[0].reshape(len(dataset), -1).float()
    array = x.double().numpy()  # the same numbers, in scikit-learn's default precision
    import sklearn

    print(f"digits train, dequantized, {tuple(x.shape)} (genzoo float32, scikit-learn float64); "
          f"K={args.components}, tol={args.tol}, "
          f"max_iter={args.max_iter}, reg_covar=jitter={args.jitter}, k-means++; {args.repeats} seeds; "
          f"torch {torch.__version__}, scikit-learn {sklearn.__version__}, 1 thread")
    print("| seeds | covariance | genzoo log-lik | sklearn log-lik | rel. diff | genzoo iters | sklearn iters "
          "| genzoo fit (s) | sklearn fit (s) | time ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for same_seeds in (True, False):
        for covariance in ("full", "diagonal", "spherical"):
            ours, theirs = [], []
            for seed in range(args.repeats):
                ours.append(genzoo_fit(x, array, covariance, args, seed, same_seeds))
                theirs.append(sklearn_fit(array, covariance, args, seed))
            medians = ([statistics.median(column) for column in zip(*runs)] for runs in (ours, theirs))
            (ll_g, t_g, it_g), (ll_s, t_s, it_s) = medians
            print(f"| {'same' if same_seeds else 'own'} | {covariance} | {ll_g:.3f} | {ll_s:.3f} "
                  f"| {(ll_g - ll_s) / abs(ll_s):+.3%} | {it_g:g} | {it_s:g} | {t_g:.3f} | {t_s:.3f} "
                  f"| {t_g / t_s:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
