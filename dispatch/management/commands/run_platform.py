"""Serve the whole platform from one process: the pages and API, with background tasks and the
periodic sweeps running in process. This is what `make run` starts; production uses gunicorn,
Celery workers and one beat instead (see docker-compose.yml)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config.env import env_bool
from dispatch.scheduler import InProcessScheduler
from routing.warm_up import warm_up


class Command(BaseCommand):
    help = "Serve the platform with background work in process (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        if not settings.EMBEDDED_TASKS:
            raise CommandError(
                "CELERY_BROKER_URL is set: run a Celery worker and beat, and serve with gunicorn instead."
            )
        # The local settings turn DEBUG on for a developer's `runserver`; this command serves the
        # platform as a district would see it, so DEBUG (tracebacks with settings and the request's
        # personal data on any error) is on only when the environment asks for it, whoever starts it.
        settings.DEBUG = env_bool("DEBUG", False)
        self.stdout.write("Loading the router and its model…")
        took = warm_up()
        if took is not None:
            self.stdout.write(f"Routing ready in {took:.1f} s.")
        scheduler = InProcessScheduler()
        scheduler.start()
        self.stdout.write(f"Serving http://{addrport}/ — tasks and periodic sweeps run in this process.")
        try:
            # `make run` serves with DEBUG off, as a district would see it (its own error pages,
            # no URL list on a 404): the static files are then served only when asked to.
            call_command("runserver", addrport, use_reloader=False, insecure_serving=not settings.DEBUG)
        finally:
            scheduler.stop()
