"""Systems that submit demands for citizens (来源系统): the city's 12345 platform handing cases
down, an app, a mini-program. Each has its own key and channel, so its demands say where they came
from, and the city's cases keep the city's number and deadline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from demands.models.demand import Channel

# The key's first characters, kept in clear to find the system; the rest is only ever hashed.
KEY_PREFIX_LENGTH = 8
SOURCE_REFERENCE_MAX_LENGTH = 64


class SourceSystem(models.Model):
    name = models.CharField(_("名称"), max_length=64, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.API)
    # A higher platform (上级平台) hands cases down with its own deadline, which bounds ours.
    hands_down = models.BooleanField(_("上级平台转办"), default=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=KEY_PREFIX_LENGTH, unique=True)
    # SHA-256 of the whole key: the key is 256 random bits, so a slow hash would add nothing.
    key_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    key_issued_at = models.DateTimeField(_("密钥签发时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("来源系统")
        verbose_name_plural = _("来源系统")

    def __str__(self) -> str:
        return self.name
