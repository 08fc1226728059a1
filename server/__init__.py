"""Hallwatch (大厅防疫通): the server."""

import os

# Piccolo finds its engine through this module; set it before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
