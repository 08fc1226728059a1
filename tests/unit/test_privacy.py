from server.privacy import mask_id_number, mask_phone


def test_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_id_keeps_region_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


def test_short_values_are_fully_masked():
    assert mask_phone("12345") == "*****"
    assert mask_id_number("123") == "***"
