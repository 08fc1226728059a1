import pytest

from server.i18n import negotiate


@pytest.mark.parametrize(
    "chosen, header, locale",
    [
        (None, None, "zh"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "fr-FR, en;q=0.5", "en"),
        ("zh", "en-US", "zh"),
        ("en", "zh-CN", "en"),
        ("xx", "de-DE", "zh"),
    ],
)
def test_user_choice_then_browser_then_chinese(chosen, header, locale):
    assert negotiate(chosen, header) == locale
