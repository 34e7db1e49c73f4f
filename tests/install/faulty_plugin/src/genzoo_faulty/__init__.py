"""A package of deliberate plugin mistakes, for genzoo's install tests."""
