"""Rule families, one module each; ``registry.load_all()`` imports them all."""
