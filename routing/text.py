"""Text preparation shared by the list matcher and the learned model."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

# rjieba is jieba (its dictionary, its route over the word graph, its HMM for unknown words) built
# in Rust (jieba-rs): 20 times faster than the Python package, and on every one of the 6,944 shared
# public messages it gives jieba 0.42.1's words (tests/routing/test_segmentation.py). Segmentation
# was half of routing a long demand.
import rjieba

from routing.traditional import simplified

_dictionary_lock = threading.Lock()
_ready = False
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


def _ensure_dictionary() -> None:
    global _ready
    if _ready:
        return
    with _dictionary_lock:
        if not _ready:
            rjieba.cut("")  # the dictionary is built on first use, once, not inside a timed route
            _ready = True


def normalize(text: str) -> str:
    return (text or "").strip().lower()


_kept: dict[str, tuple[str, ...]] | None = None


@contextmanager
def words_kept() -> Iterator[None]:
    """Within it, every text's words are kept, not only the last 4,096: training reads each past
    case once per fit, and an assessed training fits six times. Segmenting is most of the cost."""
    global _kept
    outer = _kept
    _kept = {} if outer is None else outer
    try:
        yield
    finally:
        _kept = outer


@contextmanager
def words_segmented_afresh() -> Iterator[None]:
    """Within it, words_kept()'s store is set aside: a held-out demand is routed, and timed, as a
    live one is, its text segmented for it (call forget_words() before each)."""
    global _kept
    outer, _kept = _kept, None
    try:
        yield
    finally:
        _kept = outer


def words(text: str) -> tuple[str, ...]:
    """jieba words of a text, without stop words and noise (cached: titles repeat)."""
    kept = _kept
    if kept is None:
        return _words(text)
    found = kept.get(text)
    if found is None:
        found = kept[text] = _words(text)
    return found


def forget_words() -> None:
    """Drop the cached words: what a benchmark routes must be new to the process, as a demand is."""
    _words.cache_clear()


# Only Han text says who is responsible: punctuation, digits, latin letters and whitespace are
# blanked out. Han here is what jieba reads as such, U+4E00–U+9FD5; any other character (rarer Han,
# kana, emoji, full-width letters) jieba cut off as a word of one character, which words() drops,
# while rjieba's wider idea of Han text would join it to its neighbours.
_NOT_JIEBA_HAN = re.compile(r"[^\u4e00-\u9fd5]+")


def segmented(text: str) -> list[str]:
    """The jieba words of a text's Han runs, stop words and single characters kept. Traditional
    characters are read as simplified ones: jieba's dictionary is simplified."""
    _ensure_dictionary()
    return rjieba.cut(_NOT_JIEBA_HAN.sub(" ", simplified(text or "")))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in segmented(text) if w.strip() and w not in STOP_WORDS and len(w) > 1)
