"""CycleGAN's ResNet-block generator: shapes, parameter count by hand, size errors."""

import pytest
import torch

from genzoo_adversarial.resnet_generator import ResNetGenerator


def test_shapes_and_parameter_count_by_hand():
    # c7s1-2: 1*2*49 + 2 = 100; d4 (3x3 s2): 2*4*9 + 4 = 76; one block: 2 * (4*4*9 + 4) = 296;
    # u2 (3x3 transposed): 4*2*9 + 2 = 74; c7s1-1: 2*1*49 + 1 = 99 (instance norm has no parameters)
    network = ResNetGenerator(1, 1, width=2, blocks=1, downsamplings=1)
    assert sum(p.numel() for p in network.parameters()) == 100 + 76 + 296 + 74 + 99
    assert network(torch.rand(3, 1, 8, 8)).shape == (3, 1, 8, 8)


def test_mnist_size_with_two_downsamplings():
    network = ResNetGenerator(1, 1, width=4, blocks=2, downsamplings=2)
    assert network(torch.rand(2, 1, 28, 28)).shape == (2, 1, 28, 28)  # 28 -> 14 -> 7 -> 14 -> 28


def test_sides_that_do_not_halve_are_refused():
    with pytest.raises(ValueError, match="do not halve"):
        ResNetGenerator(1, 1, width=2, blocks=0, downsamplings=2)(torch.rand(1, 1, 6, 6))

