"""A plugin written for hook API 1, which this genzoo no longer accepts."""

genzoo_hook_api = 1
