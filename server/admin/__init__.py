"""Administration: user accounts and their roles."""
