"""Autoregressive models with exact likelihoods: the shared contract (`base`), its samplers (`sampling`),
NADE and MADE. See `base`'s docstring for how to add a model."""
