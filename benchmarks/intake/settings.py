"""Production settings plus the bare endpoint the intake benchmark compares with (benchmarks/intake)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.intake.urls"
