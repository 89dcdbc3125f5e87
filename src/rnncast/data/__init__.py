"""Data handling: reading tables, the canonical series frame, sliding windows and scaling."""
