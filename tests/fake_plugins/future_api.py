"""A plugin written for a newer hook API than this genzoo provides."""

genzoo_hook_api = 99
