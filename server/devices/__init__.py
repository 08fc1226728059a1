"""Enrolled desk phones (devices) and the sync endpoints they push to and pull from."""
