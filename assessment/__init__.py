"""The auditors' side: figures, charts and exports read from every other app. Nothing imports it."""
