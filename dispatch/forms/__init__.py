"""The forms of the citizen pages, the desk and the workbench, one module each."""
