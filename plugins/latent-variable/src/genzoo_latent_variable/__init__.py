"""genzoo's latent-variable family (registered through the `genzoo` entry point in `plugin`)."""
