"""`genzoo ...` with the fake training families registered: the program torchrun starts in test_ddp,
and the one test_two_player kills."""

import sys
from importlib.metadata import EntryPoint
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "plugins"))

from genzoo import plugins  # noqa: E402
from genzoo.cli.main import main  # noqa: E402

installed = plugins._entry_points
plugins._entry_points = lambda: [*installed(), EntryPoint(name="training-toys", value="training_toys", group="genzoo"),
                                 EntryPoint(name="two-player", value="two_player", group="genzoo")]
main()
