"""Masking of citizens' personal data for staff who do not need to see it."""

import re

from django.utils.translation import gettext_lazy as _

# What staff see of a citizen whose data was removed after the retention period (demands.retention).
ANONYMISED = _("已匿名")


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if not digits:  # a phone is required: none left means the demand was anonymised
        return str(ANONYMISED)
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:  # a name is required: none left means the demand was anonymised
        return str(ANONYMISED)
    return name[0] + "*" * max(1, len(name) - 1)


def mask_address(address: str) -> str:
    address = address.strip()
    if len(address) <= 6:
        return "*" * len(address)
    return address[:6] + "****"


# A phone number, an ID card number or a bank card written into a demand's text: 7 digits or more,
# maybe split by spaces or dashes. And e-mail addresses.
_NUMBER_IN_TEXT = re.compile(r"\d(?:[\s-]?\d){6,}[\dXx]?")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_numbers_in_text(text: str) -> str:
    """The text with the numbers and e-mail addresses a citizen may have written into it masked,
    for text shown to the public (Open311): the last four digits of a number stay."""

    def number(match: re.Match[str]) -> str:
        digits = re.sub(r"[\s-]", "", match.group())
        return "*" * (len(digits) - 4) + digits[-4:]

    return _EMAIL_IN_TEXT.sub("***@***", _NUMBER_IN_TEXT.sub(number, text))
