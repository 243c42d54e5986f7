import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Each web worker loads the router and model as it starts, not inside the first citizen's request.
from routing.warm_up import warm_up  # noqa: E402 (needs the application's settings)

warm_up()
