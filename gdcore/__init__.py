"""gdcore."""
