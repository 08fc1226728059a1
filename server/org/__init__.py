"""The organisation: departments (股室/组/中心), resident windows (进驻窗口), the staff roster."""
