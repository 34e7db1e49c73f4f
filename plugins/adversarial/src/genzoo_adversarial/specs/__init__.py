"""What each group of the family registers: `ARCHITECTURES`, `SAMPLERS`, `METRICS` and `COMMANDS` lists of specs.

These modules import only genzoo's spec classes (never torch or model code), so listing stays fast.
"""
