"""The sync protocol core. It imports no web framework: `server/` calls it, never the reverse."""
