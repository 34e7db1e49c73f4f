"""genzoo's diffusion family (registered through the `genzoo` entry point in `plugin`)."""
