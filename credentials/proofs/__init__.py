"""Securing mechanisms, one module per spec, behind one registry keyed by spec id (``registry``)."""
