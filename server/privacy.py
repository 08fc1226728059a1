"""Masking of personal numbers (PIPL): lists and exports show these by default."""

from sync.protocol import jsonable


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


def masked_row(row: dict) -> dict:
    """A stored record as it may leave the office: numbers masked, everything JSON. Phones
    and the sync ledger keep only this form."""
    row = dict(row)
    if "phone" in row:
        row["phone"] = mask_phone(row["phone"])
    if "id_number" in row:
        row["id_number"] = mask_id_number(row["id_number"])
    return jsonable(row)
