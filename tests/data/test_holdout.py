"""The fixed holdout that gives folder: and npz: data a test split."""

import torch

from genzoo.data.holdout import holdout_indices


def test_a_fixed_tenth_at_least_one_and_never_everything():
    test, train = holdout_indices(25, "test"), holdout_indices(25, "train")
    assert len(test) == 2 and len(train) == 23  # round(2.5) == 2
    assert sorted(test.tolist() + train.tolist()) == list(range(25)) and torch.equal(test, test.sort().values)
    assert torch.equal(holdout_indices(25, "test"), test)  # the same every call, whatever the user's seed
    assert len(holdout_indices(3, "test")) == 1 and len(holdout_indices(2, "test", 0.9)) == 1
    assert len(holdout_indices(1, "test")) == 0 and holdout_indices(1, "train").tolist() == [0]
