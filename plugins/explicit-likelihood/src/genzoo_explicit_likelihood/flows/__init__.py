"""Normalizing-flow building blocks, reusable by third-party flows: layers, couplings, permutations,
multi-scale structure, base distributions and dequantization. See `layer.py` for the contract."""
