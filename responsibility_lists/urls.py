from django.urls import path

from responsibility_lists import views

urlpatterns = [
    path("", views.current_list, name="list-current"),
    path("versions/", views.versions, name="list-versions"),
    path("versions/new-draft/", views.draft_create, name="list-new-draft"),
    path("diff/", views.diff, name="list-diff"),
    path("amendments/", views.amendments, name="list-amendments"),
    path("amendments/<int:proposal_id>/decide/", views.amendment_decide, name="list-amendment-decide"),
    path("import/", views.import_start, name="list-import-start"),
    path("import/<int:job_id>/", views.import_status, name="list-import"),
    path("v<int:number>/", views.version_detail, name="list-version"),
    path("v<int:number>/publish/", views.publish, name="list-publish"),
    path("v<int:number>/export.<str:kind>", views.export, name="list-export"),
    path("v<int:number>/matters/new/", views.matter_add, name="list-matter-add"),
    path("v<int:number>/matters/<str:code>/", views.matter_detail, name="list-matter"),
    path("v<int:number>/matters/<str:code>/delete/", views.matter_delete, name="list-matter-delete"),
]
