"""genzoo's adversarial family (registered through the `genzoo` entry point in `plugin`)."""
