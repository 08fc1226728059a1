"""The plan's adjustable rules: fever threshold, valid range, deadlines, retention."""
