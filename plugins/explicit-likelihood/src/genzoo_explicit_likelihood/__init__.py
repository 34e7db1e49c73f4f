"""genzoo's explicit-likelihood family (registered through the `genzoo` entry point in `plugin`)."""
