"""Launch claims into incidents: clustering and repost detection (pure functions)."""
