from django.urls import path

from dispatch.views import audit, citizen, common, desk, list_review, workbench

urlpatterns = [
    # Citizens
    path("", citizen.submit, name="citizen-submit"),
    path("submitted/", citizen.submitted, name="citizen-submitted"),
    path("track/", citizen.track, name="citizen-track"),
    path("track/<str:tracking_number>/", citizen.demand_page, name="citizen-demand"),
    path("track/<str:tracking_number>/rate/", citizen.rate, name="citizen-rate"),
    path("track/<str:tracking_number>/reopen/", citizen.reopen, name="citizen-reopen"),
    path("track/<str:tracking_number>/supplement/", citizen.supplement, name="citizen-supplement"),
    # Staff
    path("staff/", common.staff_home, name="staff-home"),
    path("notifications/", common.notifications, name="notifications"),
    path("intake/", desk.intake, name="intake"),
    path("desk/", desk.desk, name="desk"),
    path("desk/counts/", desk.desk_counts, name="desk-counts"),
    path("desk/demands/<str:tracking_number>/", desk.demand_detail, name="desk-demand"),
    path("desk/demands/<str:tracking_number>/dispatch/", desk.dispatch_demand, name="desk-dispatch"),
    path("desk/demands/<str:tracking_number>/reject/", desk.reject_demand, name="desk-reject"),
    path("desk/demands/<str:tracking_number>/merge/", desk.merge_demand, name="desk-merge"),
    path("desk/demands/<str:tracking_number>/amend/", desk.propose_amendment, name="desk-amend"),
    path("desk/returns/<int:return_id>/rule/", desk.rule_return, name="desk-rule"),
    path("desk/extensions/<int:extension_id>/decide/", desk.decide_extension, name="desk-decide-extension"),
    path("desk/assignments/<int:assignment_id>/release/", desk.release_assist, name="desk-release"),
    path("desk/duplicates/<int:suggestion_id>/decide/", desk.decide_duplicate, name="desk-duplicate"),
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/templates/", workbench.reply_templates, name="workbench-templates"),
    path("workbench/<int:assignment_id>/note/", workbench.note, name="workbench-note"),
    path("workbench/<int:assignment_id>/", workbench.assignment_detail, name="workbench-assignment"),
    path("workbench/<int:assignment_id>/sign/", workbench.sign, name="workbench-sign"),
    path("workbench/<int:assignment_id>/reply/", workbench.reply, name="workbench-reply"),
    path("workbench/<int:assignment_id>/return/", workbench.return_case, name="workbench-return"),
    path("workbench/<int:assignment_id>/extension/", workbench.request_extension, name="workbench-extension"),
    path("workbench/<int:assignment_id>/contact/", workbench.disclose_contact, name="workbench-contact"),
    path("workbench/<int:assignment_id>/ask-citizen/", workbench.ask_citizen, name="workbench-ask-citizen"),
    path("workbench/<int:assignment_id>/stop-waiting/", workbench.stop_waiting, name="workbench-stop-waiting"),
    path("workbench/<int:assignment_id>/supervision/", workbench.answer_supervision, name="workbench-supervision"),
    path("attachments/<int:attachment_id>/", common.attachment_download, name="attachment"),
    path("list/hotspots/", list_review.hotspots, name="list-hotspots"),
    path("list/v<int:number>/impact/", list_review.impact, name="list-impact"),
    path("audit/", audit.audit, name="audit"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", audit.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", audit.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", audit.export_job_download, name="audit-export-download"),
]
