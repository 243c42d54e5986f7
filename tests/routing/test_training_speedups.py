"""Training shortcuts must not change what is learned."""

from __future__ import annotations

from routing import text
from routing.learned import build_pipeline, document

DOCUMENTS = [
    document("工地半夜施工", "六和城旁边的工地每天半夜施工打桩"),
    document("小贩占道", "坪山大道上小贩摆摊占道经营"),
] * 3


def test_kept_words_are_the_words_and_are_let_go_afterwards():
    plain = text.words("隔壁工厂天天排放废气，味道很难闻")
    with text.words_kept():
        assert text.words("隔壁工厂天天排放废气，味道很难闻") == plain
        assert text._kept == {"隔壁工厂天天排放废气，味道很难闻": plain}
        with text.words_kept():  # nested: the same memo
            assert "隔壁工厂天天排放废气，味道很难闻" in text._kept
    assert text._kept is None


def test_one_pass_fit_transform_equals_fit_then_transform():
    one_pass = build_pipeline().named_steps["features"].fit_transform(DOCUMENTS)
    two_passes = build_pipeline().named_steps["features"].fit(DOCUMENTS).transform(DOCUMENTS)
    assert (one_pass != two_passes).nnz == 0 and one_pass.shape == two_passes.shape
