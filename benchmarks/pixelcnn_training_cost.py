"""CPU seconds per training step (forward, backward, Adam) of genzoo's gated PixelCNN (a) through its exact
primitive, gathered taps @ weight (what log_prob runs in eval mode / without gradients, and what sampling
runs), (b) as it trains (training mode with gradients: its TapConvs call F.conv2d), against (c) the same
network written plainly with nn.Conv2d (torch.tanh and torch.sigmoid gates); then one log_prob of the batch
without gradients (evaluation) on genzoo's exact path against the twin.

The conv2d twin has the same layers, kernel shapes and parameter count: the vertical convolution is a
(half + 1) x kernel conv on the input padded `half` rows above (the first layer: half x kernel, shifted one row
down), the horizontal one 1 x (half + 1) padded on the left (the first: 1 x half, shifted one column right),
1x1 links and outputs, the same gates, head and class biases. It is timed on the same random binary batch.

    OMP_NUM_THREADS=1 python benchmarks/pixelcnn_training_cost.py [--channels 32 --layers 8 --batch 32]
"""

import argparse
import time

import torch
from torch import nn
from torch.nn import functional as F

import genzoo

MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2, "num_classes": 10}


def gate(x):
    a, b = x.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


class Conv2dGatedLayer(nn.Module):
    def __init__(self, inputs, channels, kernel, first, classes):
        super().__init__()
        half = kernel // 2
        self.first, self.half = first, half
        self.vertical = nn.Conv2d(inputs, 2 * channels, (half if first else half + 1, kernel))
        self.horizontal = nn.Conv2d(inputs, 2 * channels, (1, half if first else half + 1))
        self.link = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)
        self.vertical_class = nn.Parameter(torch.zeros(classes, 2 * channels))
        self.horizontal_class = nn.Parameter(torch.zeros(classes, 2 * channels))

    def forward(self, v, h, labels):
        half, height, width = self.half, v.shape[2], v.shape[3]
        # output row i reads padded rows i.. (original rows i - half ..), column j padded columns j..
        pre = self.vertical(F.pad(v, (half, half, half, 0)))[:, :, :height]
        pre = pre + self.vertical_class[labels][:, :, None, None]
        hpre = self.horizontal(F.pad(h, (half, 0)))[:, :, :, :width] + self.link(pre)
        hpre = hpre + self.horizontal_class[labels][:, :, None, None]
        out = self.out(gate(hpre))
        return gate(pre), out if self.first else h + out


class Conv2dGated(nn.Module):
    def __init__(self, channels, layers, first_kernel, kernel, head, classes):
        super().__init__()
        self.layers = nn.ModuleList([Conv2dGatedLayer(1, channels, first_kernel, True, classes)]
                                    + [Conv2dGatedLayer(channels, channels, kernel, False, classes)
                                       for _ in range(layers)])
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, head, 1), nn.ReLU(), nn.Conv2d(head, 2, 1))

    def log_prob(self, x, labels):
        v = h = x
        for layer in self.layers:
            v, h = layer(v, h, labels)
        logits = self.head(h)
        return -F.cross_entropy(logits, x[:, 0].long(), reduction="none").sum((1, 2))


def seconds_per_step(log_prob, parameters, x, y, steps):
    optimizer = torch.optim.Adam(parameters, 1e-3)
    for step in range(steps + 1):
        if step == 1:
            start = time.process_time()
        loss = -log_prob(x, y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (time.process_time() - start) / steps


def seconds_per_forward(log_prob, x, y, repeats):
    """CPU seconds of one log_prob of the batch without gradients (what `genzoo eval --metric nll` runs)."""
    with torch.no_grad():
        log_prob(x, y)
        start = time.process_time()
        for _ in range(repeats):
            log_prob(x, y)
    return (time.process_time() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = (torch.rand(args.batch, 1, 28, 28) < 0.15).float()
    y = torch.arange(args.batch) % 10
    ours = genzoo.create("gated-pixelcnn", data=MNIST, channels=args.channels, layers=args.layers, num_classes=10)
    twin = Conv2dGated(args.channels, args.layers, 7, 3, ours.config.head_channels, 10)
    count = sum(p.numel() for p in ours.parameters())
    assert count == sum(p.numel() for p in twin.parameters()), "the twin must have the same parameters"
    print(f"gated-pixelcnn channels={args.channels} layers={args.layers} batch={args.batch}, {count} parameters, "
          f"{torch.get_num_threads()} thread(s)")
    ours.eval()  # no dropout or normalisation in the model: eval mode only selects the gathered taps
    taps = seconds_per_step(lambda x, y: ours.log_prob(x, condition=y), ours.parameters(), x, y, args.steps)
    ours.train()
    trains = seconds_per_step(lambda x, y: ours.log_prob(x, condition=y), ours.parameters(), x, y, args.steps)
    conv = seconds_per_step(twin.log_prob, twin.parameters(), x, y, args.steps)
    print(f"(a) genzoo, gathered taps @ weight (the exact path): {taps:.3f} CPU s/step ({taps / conv:.2f}x (c))")
    print(f"(b) genzoo, training mode (TapConv via F.conv2d):    {trains:.3f} CPU s/step ({trains / conv:.2f}x (c))")
    print(f"(c) plain nn.Conv2d twin:                            {conv:.3f} CPU s/step")
    ours.eval()
    exact = seconds_per_forward(lambda x, y: ours.log_prob(x, condition=y), x, y, args.steps)
    plain = seconds_per_forward(twin.log_prob, x, y, args.steps)
    print(f"log_prob of the batch without gradients: genzoo (exact path) {exact:.3f} CPU s, twin {plain:.3f} CPU s "
          f"({exact / plain:.2f}x)")


if __name__ == "__main__":
    main()
