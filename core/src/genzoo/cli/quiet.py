"""Keep huggingface_hub's own chatter out of genzoo's output while a command runs.

huggingface_hub logs every retry ("Error while downloading ... Trying to resume download...") and draws
"Fetching N files" progress bars on stderr; when a hub dies mid-download a user would read six lines of
someone else's retries before genzoo's one-line error. Its errors still reach genzoo, which reports them.
The settings are applied without importing huggingface_hub (so `genzoo list` stays fast): its verbosity
and progress-bar switches are environment variables read on first import, and if it is imported already
its logger level and progress-bar switch are set directly. Everything is restored on exit.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_ENVIRONMENT = {"HF_HUB_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}


@contextmanager
def quiet_huggingface_hub() -> Iterator[None]:
    """huggingface_hub logs errors only and draws no progress bars inside the block (unless the user's own
    HF_HUB_VERBOSITY / HF_HUB_DISABLE_PROGRESS_BARS say otherwise)."""
    saved_environment = {key: os.environ.get(key) for key in _ENVIRONMENT}
    for key, value in _ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    logger = logging.getLogger("huggingface_hub")
    saved_level = logger.level
    if saved_environment["HF_HUB_VERBOSITY"] is None:
        logger.setLevel(logging.ERROR)
    bars = sys.modules.get("huggingface_hub.utils.tqdm")
    reenable = bars is not None and saved_environment["HF_HUB_DISABLE_PROGRESS_BARS"] is None \
        and not bars.are_progress_bars_disabled()
    if reenable:
        bars.disable_progress_bars()
    try:
        yield
    finally:
        if reenable:
            bars.enable_progress_bars()
        logger.setLevel(saved_level)
        for key, value in saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
