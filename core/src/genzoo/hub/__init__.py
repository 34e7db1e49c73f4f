"""Fetching pretrained checkpoints from a hub: a Hub-compatible server or a local folder of repos."""

from genzoo.hub.client import fetch_pretrained, find_bundled_repo, hub_location

__all__ = ["fetch_pretrained", "find_bundled_repo", "hub_location"]
