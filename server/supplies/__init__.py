"""Prevention supplies (防控物品): items, the stock ledger, low stock, days left, the export."""
