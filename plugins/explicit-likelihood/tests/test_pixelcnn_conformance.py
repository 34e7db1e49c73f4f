"""The conformance kit on the PixelCNNs (tiny configs: 8 binary pixels, the gated one with two classes, so the
kit sums every image's exact likelihood under each label)."""

from genzoo.testing import ConformanceSuite


class TestPixelCNNConformance(ConformanceSuite):
    architectures = ("pixelcnn", "gated-pixelcnn")
