from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI starts from a script it fetches from this same URL (the split view: no inline script)
# and styles its widgets with inline style attributes, which only this page allows.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("departments.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("list/", include("responsibility_lists.urls")),
    path("calendar/", include("departments.urls")),
    path("api/v1/assessment/", include("assessment.api_urls")),
    path("api/v1/", include("dispatch.api_urls")),
    path("open311/v2/", include("dispatch.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("", include("assessment.urls")),
    path("", include("dispatch.urls")),
]

# Under /api/ a URL that names nothing answers the API's error body, not the site's page.
handler404 = "config.exception_handlers.page_not_found"
