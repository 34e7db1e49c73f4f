"""What each group of the family registers: `ARCHITECTURES`, `SAMPLERS` and `METRICS` lists of specs (and
optionally `DATASETS`). `plugin.py` gathers every module of this package, so a new group is a new file.

These modules import only genzoo's spec classes (never torch or model code), so listing stays fast.
"""
