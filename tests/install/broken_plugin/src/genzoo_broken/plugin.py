"""A deliberately broken plugin: it raises as soon as genzoo imports it."""

raise ImportError("genzoo-broken cannot import its own dependency (on purpose)")
