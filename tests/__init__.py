"""The test suite. Test modules import shared helpers from these modules, never from each other:

- `conftest.py`: the fixtures every test may ask for (`district`, `submit`, `phones`, …).
- `factories.py`: the named district (`build_district`), `make_user`, `make_matter`.
- `citizens.py`: what citizens write (`STALL`, `NOISE`, `VAGUE`, the web `FORM`), `post_demand`,
  `citizen_of` (a browser holding query codes) and `Phones` (the texts sent).
- `staff.py`: `logged_in`, the lead assignment of a case (`open_lead`, `latest_lead`), `answered`.
- `routing_history.py`: past cases to train the router on (`past_cases`) and its `NOISE` query.
- `list_rows.py`: a responsibility-list spreadsheet row (`row`).
- `uploads.py`: real files of each accepted type; `services.py`: skip or fail without PostgreSQL,
  Redis or Chromium; `access_matrix.py`: who may open what.
- `integration/workers.py`, `browser/pages.py`: the real processes and the browser steps.
"""
