"""A demand in traditional Chinese is read in the simplified characters the list and jieba know."""

from __future__ import annotations

from routing.router import route
from routing.text import words
from routing.traditional import simplified, table_from_opencc

NOISE_SIMPLIFIED = ("工地半夜施工噪音扰民", "六和城旁边的工地每天半夜施工打桩，严重影响睡眠。")
NOISE_TRADITIONAL = ("工地半夜施工噪音擾民", "六和城旁邊的工地每天半夜施工打樁，嚴重影響睡眠。")


def test_the_shipped_table_is_opencc_t2s_one_character_for_one():
    traditional, simplified_forms = table_from_opencc()
    assert simplified(traditional) == simplified_forms


def test_traditional_characters_are_read_as_simplified_and_simplified_text_is_left_alone():
    assert simplified("嚴重影響，路燈壞了，樓道裡很黑") == "严重影响，路灯坏了，楼道里很黑"
    # Characters that are simplified ones too (GB 2312) are kept: 坏 is not 坯, 乾隆 is not 干隆.
    assert simplified("路灯坏了，乾隆年间，著名景点") == "路灯坏了，乾隆年间，著名景点"
    # The same words either way: 嚴重影響 was cut as 重影 in traditional characters.
    assert words(NOISE_TRADITIONAL[1]) == words(NOISE_SIMPLIFIED[1])


def test_a_traditional_demand_matches_the_lists_keywords(district):
    simplified_answer = route(
        title=NOISE_SIMPLIFIED[0], content=NOISE_SIMPLIFIED[1], location_text="", version=district.version, model=None
    )
    answer = route(
        title=NOISE_TRADITIONAL[0], content=NOISE_TRADITIONAL[1], location_text="", version=district.version, model=None
    )
    assert answer.best.department_id == district.departments["ZJJ"].pk
    assert answer.best.matched == simplified_answer.best.matched and "打桩" in answer.best.matched  # 打樁 in the text
    assert answer.best.confidence == simplified_answer.best.confidence
