"""The test suite. Test modules import shared helpers from these modules, never from each other:

- `conftest.py`: the fixtures every test may ask for (`district`, `submit`, `phones`, …); a folder's
  own `conftest.py` holds the fixtures its modules share (`assessment/conftest.py`: `scenario`;
  `demands/conftest.py`: the text-message `gateway`; `dispatch/conftest.py`: `citizen_submission`).
- `factories.py`: the named district (`build_district`), `make_user`, `make_matter`.
- `citizens.py`: what citizens write (`STALL`, `NOISE`, `VAGUE`, the web `FORM`), `post_demand`,
  `citizen_of` (a browser holding query codes), `Phones` (the texts sent) and `resend_is_due`.
- `staff.py`: `logged_in`, `in_english`, the lead assignment of a case (`open_lead`, `latest_lead`),
  `answered`, `csv_rows` (a downloaded CSV file).
- `routing_history.py`: past cases to train the router on (`past_cases`) and its `NOISE` query.
- `assessment_cases.py`: hand-built lead assignments and callback visits (`lead`, `visit`,
  `make_demand`) at chosen moments of November 2026 (`NOVEMBER`, `NOW`).
- `list_rows.py`: a responsibility-list spreadsheet row (`row`).
- `uploads.py`: real files of each accepted type; `services.py`: skip or fail without PostgreSQL,
  Redis or Chromium; `access_matrix.py`: who may open what, tried on `access_world.py` by
  `access_attempts.py`.
- `integration/workers.py`, `browser/pages.py`: the real processes and the browser steps.
"""
