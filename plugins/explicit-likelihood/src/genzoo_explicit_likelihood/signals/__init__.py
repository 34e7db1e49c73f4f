"""1-D signals for WaveNet: mu-law companding (`mu_law`), the seeded multi-tone signals (`tones`) and their
registered dataset (`dataset`)."""
