"""The router's words come from rjieba (jieba built in Rust) for speed. Every list index and model
was made from jieba's words, so they must be jieba 0.42.1's (after words() drops stop words and
single characters): on the sample list, the sample district's places, text with rare characters,
and, where they are present, all 6,944 shared public messages."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import jieba
import pytest

from routing.text import STOP_WORDS, _words
from routing.traditional import simplified

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
SAMPLE = ROOT / "responsibility_lists" / "sample_data"


# What words() blanked out before cutting, when it cut with the Python jieba package.
NOISE = re.compile(r"[\s0-9a-zA-Z_，。！？、；：“”‘’（）()《》【】\[\]<>.,!?;:'\"/\\|·…—\-+=*&^%$#@~`]+")


@pytest.fixture(scope="module")
def jiebas_words():
    """words() as it was with the Python jieba package (on the text with its traditional characters
    read as simplified, as words() reads it since)."""
    jieba.setLogLevel(60)
    jieba.initialize()

    def words(text: str) -> tuple[str, ...]:
        cut = jieba.lcut(NOISE.sub(" ", simplified(text or "").strip().lower()))
        return tuple(w for w in cut if w.strip() and w not in STOP_WORDS and len(w) > 1)

    return words


def _differences(texts, reference) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(text[:40], ours, theirs) for text in texts if (ours := _words(text)) != (theirs := reference(text))]


def _sample_texts() -> list[str]:
    with (SAMPLE / "matters.csv").open(encoding="utf-8") as handle:
        matters = [" ".join(row.values()) for row in csv.DictReader(handle)]
    places = json.dumps(json.loads((SAMPLE / "district.json").read_text(encoding="utf-8")), ensure_ascii=False)
    spoken = [
        "坪山区龙田街道老坑社区的排水沟堵了，下雨就淹到家门口",
        "楼下烧烤店油烟直排，晚上十二点还在营业，噪音太大",
        "我们中出了一个叛徒",  # jieba's own example of an ambiguous split
        "ＡＢＣ全角字母和１２３数字，温度３８℃①②",
        "",
    ]
    return [*matters, places, *spoken]


def test_words_are_jiebas_on_the_sample_list_and_places(jiebas_words):
    assert _differences(_sample_texts(), jiebas_words) == []


def test_rare_characters_do_not_join_their_neighbours(jiebas_words):
    # jieba reads Han text as U+4E00–U+9FD5; rjieba's range is wider and would have made 起手
    # one word here, and 刘䶮 (U+4DAE) a word jieba never saw.
    for text in ["￥起手鿖结体", "刘䶮反映", "𠀀㐀两个字", "年度件西条家鿖外㐀㐁质于"]:
        assert _words(text) == jiebas_words(text), text


@pytest.mark.skipif(not MESSAGES.exists(), reason="the shared public messages are not on this machine")
def test_words_are_jiebas_on_every_shared_message(jiebas_words):
    with MESSAGES.open(encoding="utf-8") as handle:
        texts = [f"{row['title']} {row['body']}" for row in csv.DictReader(handle)]
    assert len(texts) > 6000
    assert _differences(texts, jiebas_words) == []
