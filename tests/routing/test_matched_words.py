"""The desk shows, in the demand's own words, what the router's suggestions rest on."""

from __future__ import annotations

from routing.templatetags.routing import marked
from tests.staff import logged_in


def test_matched_words_are_marked_longest_first_and_the_rest_is_escaped():
    html = marked("工地<b>夜间施工</b>噪音\n工地噪音", ["噪音", "工地噪音", ""])
    assert html == (
        '工地&lt;b&gt;夜间施工&lt;/b&gt;<mark class="matched">噪音</mark><br><mark class="matched">工地噪音</mark>'
    )
    assert marked("a&b", []) == "a&amp;b"
    assert marked("(1+1)", ["(1+1)"]) == '<mark class="matched">(1+1)</mark>'  # words are not patterns


def test_the_desk_marks_the_keywords_the_suggestions_matched(district, submit):
    demand = submit(title="工地夜间施工噪音", content="六和城旁边工地每天夜间施工噪音很大。").demand
    matched = {word for candidate in demand.routing_results.get().candidates for word in candidate["matched"]}
    assert matched  # the sample list's keywords are in this demand
    desk = logged_in(district.users["dispatcher"])
    page = desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    content = page[page.index('id="content"') :][:600]
    assert all(f'<mark class="matched">{word}</mark>' in page for word in matched)
    assert '<mark class="matched">' in content and 'id="matched-help"' in page


def test_the_lead_department_reads_what_the_suggestion_of_it_rested_on(district, submit):
    demand = submit(title="工地夜间施工噪音", content="六和城旁边工地每天夜间施工噪音很大。").demand
    lead = demand.assignments.get(role="lead")
    suggested = next(c for c in demand.routing_results.get().candidates if c["department_id"] == lead.department_id)
    assert suggested["matched"]
    staff = logged_in(district.users["zjj"])
    page = staff.get(f"/workbench/{lead.pk}/").content.decode()
    basis = page[page.index('id="routing-basis"') :][:300]
    assert "命中关键词" in basis and all(word in basis for word in suggested["matched"])
    content = page[page.index('id="content"') :][:400]
    assert f'<mark class="matched">{suggested["matched"][0]}</mark>' in content
    # Returning it, the lead is offered the router's next suggestion (a sure enough one) to suggest.
    routing = demand.routing_results.get()
    cgj = district.departments["CGJ"]
    routing.candidates = [
        *routing.candidates,
        {"department_id": cgj.pk, "department_name": cgj.name, "matched": [], "confidence": 0.5},
    ]
    routing.save(update_fields=["candidates"])
    page = staff.get(f"/workbench/{lead.pk}/").content.decode()
    returning = page[page.index('id="return_suggested_department"') :]
    returning = returning[: returning.index("</select>")]
    following = next(c for c in routing.candidates if c["department_id"] not in (None, lead.department_id))
    assert f'<option value="{following["department_id"]}" selected>' in returning
    assert returning.count(" selected>") == 1

    # A department that has led the case before (and returned it) is not offered it back.
    earlier = demand.assignments.get(pk=lead.pk)
    earlier.pk, earlier.department, earlier.status = None, cgj, "returned"
    earlier.save()
    page = staff.get(f"/workbench/{lead.pk}/").content.decode()
    returning = page[page.index('id="return_suggested_department"') :]
    returning = returning[: returning.index("</select>")]
    assert f'<option value="{cgj.pk}" selected>' not in returning and '<option value="" selected>' in returning
    assert "已预选路由建议中的下一个部门" not in page

    # An assisting department was not chosen by the router: nothing is said for it.
    assist = demand.assignments.get(role="assist")
    helper = logged_in(district.users["shj"])
    page = helper.get(f"/workbench/{assist.pk}/").content.decode()
    assert 'id="routing-basis"' not in page and '<mark class="matched">' not in page
