"""The guarded HTTP fetcher: everything an attacker may name is fetched through ``fetcher``."""
