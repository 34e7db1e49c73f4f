"""single_threaded: exact paths run on one intra-op thread (restored after), fitting keeps every thread."""

import torch
from torch import nn

from genzoo_explicit_likelihood.autoregressive.threads import single_threaded


class Probe(nn.Module):
    @single_threaded
    def threads_inside(self):
        return torch.get_num_threads()


def test_one_thread_inside_and_the_setting_restored_after():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        probe = Probe().eval()
        assert probe.threads_inside() == 1
        assert torch.get_num_threads() == 2
        with torch.no_grad():
            assert Probe().train().threads_inside() == 1  # training mode without gradients: an evaluation
        assert Probe().train().threads_inside() == 2  # fitting: the bits do not matter, keep the threads
    finally:
        torch.set_num_threads(before)
