"""Mail: the outbox, single-use email tokens, the staff's confirm and reset flows."""
