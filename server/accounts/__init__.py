"""User accounts, roles, login and sessions."""
