"""Text data for the character-level language model: the Shakespeare corpus (`shakespeare`, torch-free:
where the text comes from, how it is cleaned, its vocabulary) and its fixed-length sequences (`dataset`)."""
