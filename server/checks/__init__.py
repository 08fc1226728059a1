"""Visitor checks (来人登记 + 测温) and staff checks (上下班检测) taken at the hall entrance."""
