"""Fetching pretrained checkpoints from a hub: a Hub-compatible server or a local folder of repos."""

from genzoo.hub.client import fetch_pretrained, fetch_repo, find_bundled_repo, hub_location, parse_hf_uri

__all__ = ["fetch_pretrained", "fetch_repo", "find_bundled_repo", "hub_location", "parse_hf_uri"]
