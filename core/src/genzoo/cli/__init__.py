"""The `genzoo` command line (click)."""
