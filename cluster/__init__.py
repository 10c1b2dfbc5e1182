"""`make cluster`: the production topology on loopback ports, for the scale-out tests."""
