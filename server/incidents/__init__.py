"""Incidents (疫情/苗头): a fever or suspicious case held, reported and followed to its end."""
