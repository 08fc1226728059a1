"""The daily zero report (每日零报告) and the office's bureau-wide report for the district."""
