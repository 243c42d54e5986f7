"""Text preparation shared by the list matcher and the learned model."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import jieba

_jieba_lock = threading.Lock()
_ready = False
# Punctuation, digits and latin letters say little about who is responsible; whitespace none.
_NOISE = re.compile(r"[\s0-9a-zA-Z_，。！？、；：“”‘’（）()《》【】\[\]<>.,!?;:'\"/\\|·…—\-+=*&^%$#@~`]+")
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "也",
        "都",
        "就",
        "还",
        "又",
        "这",
        "那",
        "这个",
        "那个",
        "一个",
        "什么",
        "怎么",
        "为什么",
        "请",
        "请问",
        "希望",
        "能否",
        "能",
        "可以",
        "是否",
        "问题",
        "反映",
        "投诉",
        "情况",
        "相关",
        "部门",
        "领导",
        "政府",
        "一下",
        "已经",
        "没有",
        "不",
        "要",
        "对",
        "把",
        "被",
        "让",
        "给",
        "从",
        "到",
        "啊",
        "吧",
        "呢",
        "吗",
        "么",
        "呀",
        "哦",
        "嗯",
        "您好",
        "你好",
        "谢谢",
        "感谢",
        "尽快",
        "及时",
        "处理",
        "解决",
        "关于",
        "由于",
        "因为",
        "所以",
        "但是",
        "而且",
        "如果",
        "市民",
        "本人",
    ]
)


def _ensure_jieba() -> None:
    global _ready
    if _ready:
        return
    with _jieba_lock:
        if not _ready:
            jieba.setLogLevel(60)  # its dictionary-loading chatter is not for our logs
            jieba.initialize()
            _ready = True


def normalize(text: str) -> str:
    return (text or "").strip().lower()


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """jieba words of a text, without stop words and noise (cached: titles repeat)."""
    _ensure_jieba()
    cleaned = _NOISE.sub(" ", normalize(text))
    return tuple(w for w in jieba.lcut(cleaned) if w.strip() and w not in STOP_WORDS and len(w) > 1)
