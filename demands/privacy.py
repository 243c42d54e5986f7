"""Masking of citizens' personal data for staff who do not need to see it."""

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
