"""The eduv conformance suite and the reference provider."""
