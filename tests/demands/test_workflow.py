"""The transition map is the one place that knows the graph; these pin down its shape."""

from demands.workflow import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, Action, Status, allowed_actions, target_of


def test_final_states_allow_nothing_but_records_and_a_merged_demands_rating_which_leave_them_as_they_are():
    # Past the retention period the system anonymises a finished demand, and a department may
    # appeal a finished case's place in its figures; a closed answer may still be asked about on
    # the phone (回访); a leader's instruction still owed is answered whatever became of the case
    # (批示反馈); the dispatcher may still correct a finished case's type, which the figures count.
    # The demand stays as it ended.
    kept = {Action.APPEAL, Action.RULE_APPEAL, Action.ANONYMISE, Action.ANSWER_INSTRUCTION}
    for status in FINAL_STATUSES - {Status.MERGED}:
        visit = {Action.VISIT} if status == Status.CLOSED else set()
        assert set(allowed_actions(status)) == kept | visit | {Action.RETYPE}
        assert all(target_of(action, status) == status for action in kept | visit | {Action.RETYPE})
    assert set(allowed_actions(Status.MERGED)) == {Action.RATE, *kept}
    assert target_of(Action.RATE, Status.MERGED) == Status.MERGED


def test_every_open_state_can_be_merged():
    for status in OPEN_STATUSES:
        assert target_of(Action.MERGE, status) == Status.MERGED


def test_each_action_is_in_the_map_except_submit():
    assert set(TRANSITIONS) == set(Action.values) - {Action.SUBMIT}


def test_lifecycle_path_of_design():
    path = [
        (Action.AUTO_DISPATCH, Status.SUBMITTED, Status.DISPATCHED),
        (Action.SIGN, Status.DISPATCHED, Status.IN_PROGRESS),
        (Action.REPLY, Status.IN_PROGRESS, Status.REPLIED),
        (Action.REOPEN, Status.REPLIED, Status.REOPENED),
        (Action.SIGN, Status.REOPENED, Status.IN_PROGRESS),
        (Action.RATE, Status.REPLIED, Status.CLOSED),
    ]
    for action, source, target in path:
        assert target_of(action, source) == target


def test_illegal_moves_are_absent():
    assert target_of(Action.REPLY, Status.DISPATCHED) is None  # must sign first
    assert target_of(Action.RATE, Status.IN_PROGRESS) is None
    assert target_of(Action.REJECT, Status.IN_PROGRESS) is None
    assert target_of(Action.DISPATCH, Status.SUBMITTED) is None  # the router decides first
