"""The past cases the learned router is trained on, and the demand the routing tests ask it about."""

from __future__ import annotations

from routing.models import HistoricalCase

# Construction noise at night in 六和城: the housing bureau's (ZJJ) by the list, and in the past cases.
NOISE = {
    "title": "工地半夜施工噪音太大",
    "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡。",
    "location_text": "六和城",
}


def past_cases(district, n: int = 12, codes: tuple[str, ...] = ("CGJ", "ZJJ", "SHJ")) -> None:
    """`n` past cases for each department in `codes`, three ways of saying what that department does."""
    cases = {
        "CGJ": ["路边小贩摆摊占道，人行道走不通", "夜市摊位占满马路，城管管一管", "商铺把货摆到人行道上经营"],
        "ZJJ": ["工地夜里打桩噪音扰民", "建筑工地晚上施工太吵", "工地渣土车夜间施工影响睡眠"],
        "SHJ": ["工厂排放废气有刺鼻气味", "河边工厂偷排污水发臭", "烧烤店油烟直排熏人"],
    }
    for code, texts in cases.items():
        if code not in codes:
            continue
        for i in range(n):
            HistoricalCase.objects.create(
                title=texts[i % 3],
                content=f"{texts[i % 3]}，已经持续{i + 1}天了。",
                department=district.departments[code],
            )
