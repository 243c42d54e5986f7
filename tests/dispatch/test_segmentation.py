"""The router segments with rjieba (jieba built in Rust) for speed. Every stored model and list
index was made with jieba's words, and the same inputs must keep giving the same answer, so its
words must be jieba 0.42.1's, word for word: on the sample list, the sample district's places,
and, where they are present, all 6,944 shared public messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jieba
import pytest

from dispatch.routing.text import _NOISE, normalize, segmented

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
SAMPLE = ROOT / "responsibility_lists" / "sample_data"


@pytest.fixture(scope="module")
def reference():
    jieba.setLogLevel(60)
    jieba.initialize()
    return lambda text: jieba.lcut(_NOISE.sub(" ", normalize(text)))


def _differences(texts, reference) -> list[tuple[str, list[str], list[str]]]:
    return [(text[:40], ours, theirs) for text in texts if (ours := segmented(text)) != (theirs := reference(text))]


def _sample_texts() -> list[str]:
    with (SAMPLE / "matters.csv").open(encoding="utf-8") as handle:
        matters = [" ".join(row.values()) for row in csv.DictReader(handle)]
    places = json.dumps(json.loads((SAMPLE / "district.json").read_text(encoding="utf-8")), ensure_ascii=False)
    spoken = [
        "坪山区龙田街道老坑社区的排水沟堵了，下雨就淹到家门口",
        "楼下烧烤店油烟直排，晚上十二点还在营业，噪音太大",
        "我们中出了一个叛徒",  # jieba's own example of an ambiguous split
        "ＡＢＣ全角字母和１２３数字",
        "",
    ]
    return [*matters, places, *spoken]


def test_words_are_jiebas_on_the_sample_list_and_places(reference):
    assert _differences(_sample_texts(), reference) == []


@pytest.mark.skipif(not MESSAGES.exists(), reason="the shared public messages are not on this machine")
def test_words_are_jiebas_on_every_shared_message(reference):
    with MESSAGES.open(encoding="utf-8") as handle:
        texts = [f"{row['title']} {row['body']}" for row in csv.DictReader(handle)]
    assert len(texts) > 6000
    assert _differences(texts, reference) == []
