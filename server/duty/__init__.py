"""Duty (值班): shifts per day and post, the leader of the day, the gap check and the duty log."""
