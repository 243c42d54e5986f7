"""Model fields for personal data at rest."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from config.encryption import decrypt, encrypt
from demands.phones import phone_hash


class EncryptedTextField(models.TextField):
    """Text stored encrypted (config.encryption) and read back in clear, so the code keeps
    reading `demand.citizen_phone`. Each write encrypts afresh (a random IV), so the column
    cannot be compared in SQL: every lookup but `isnull` is refused outright rather than
    silently finding nothing. Find phones by `citizen_phone_hash` instead.

    An empty value stays empty: it tells nothing, and "no address given" stays visible."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be compared in SQL "
            f"(lookup {lookup_name!r}); find a phone by citizen_phone_hash (demands.phones.phone_hash)."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class PhoneHashField(models.CharField):
    """The keyed hash of another field's phone number, computed on every save of the row, as
    `auto_now` is: whichever path writes a demand (the services, the demo loader, a factory), the
    hash it is found by agrees with the number it holds."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = phone_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
