"""The append-only audit log of awarding and API keys, and its hash chain."""
