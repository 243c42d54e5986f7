from config.ids import ids_from


def test_ids_are_read_when_every_text_names_a_row():
    assert ids_from(["3", " 7 ", "3"]) == {3, 7}
    assert ids_from([]) == set()


def test_one_text_that_names_no_row_refuses_them_all():
    # A group of duplicates is decided at once: one bad id must not leave the others half decided.
    for bad in ("x", "0", "-1", str(10**30), "٣"):
        assert ids_from(["3", bad]) is None, bad
