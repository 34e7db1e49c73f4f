"""The genzoo entry point of the adversarial family.

Its architectures, samplers and pretrained cards arrive with the family's own issue; until then
the plugin registers nothing but is installed, listed by `genzoo plugins` and conformance-tested.
"""

genzoo_hook_api = 2
