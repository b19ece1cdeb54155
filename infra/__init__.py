"""The neutral layer: plumbing that every component shares and no product owns.

See docs/architecture.md ("Dependency rule").
"""
