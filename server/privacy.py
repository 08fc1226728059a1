"""Masking of personal numbers (PIPL): lists and exports show these by default."""


def mask_phone(phone: str) -> str:
    """138****5678"""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    """370402********123X: region kept, birth date and sequence hidden."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
