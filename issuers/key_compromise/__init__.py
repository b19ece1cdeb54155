"""After a key compromise: the awards it signed, revoked and re-issued in bulk."""
