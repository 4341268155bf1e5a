from django.urls import path

from tracker.views import actions, calendar, exports, national, overview, register, reports, trends

app_name = "tracker"

urlpatterns = [
    path("", overview.home, name="home"),
    path("dashboard/", overview.dashboard, name="dashboard"),
    path("forces/<slug:slug>/", overview.force_detail, name="force"),
    path("review/", overview.review_queue, name="review_queue"),
    path("actions/", actions.action_list, name="action_list"),
    path("actions/overdue/", actions.overdue_list, name="overdue"),
    path("actions/upcoming/", actions.upcoming_list, name="upcoming"),
    path("actions/mine/", actions.my_actions, name="my_actions"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/change/<slug:name>/", actions.action_transition, name="action_transition"),
    path("actions/<int:pk>/notes/", actions.action_add_note, name="action_add_note"),
    path("actions/<int:pk>/owner/", actions.action_set_owner, name="action_set_owner"),
    path("actions/<int:pk>/extension/", actions.action_request_extension, name="action_request_extension"),
    path("actions/<int:pk>/rag/", actions.action_set_rag, name="action_set_rag"),
    path("actions/<int:pk>/publish/", actions.action_set_publishable, name="action_set_publishable"),
    path("actions/bulk/", actions.actions_bulk, name="actions_bulk"),
    path("recommendations/<int:pk>/priority/", actions.recommendation_set_priority, name="recommendation_set_priority"),
    path("actions/<int:pk>/link/", actions.action_link_recurrence, name="action_link_recurrence"),
    path("reports/<slug:slug>/publish/", reports.report_set_publishable, name="report_set_publishable"),
    path("extensions/<int:pk>/decide/", actions.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", actions.evidence_download, name="evidence"),
    path("themes/", national.theme_list, name="theme_list"),
    path("themes/export.<str:fmt>", national.theme_export, name="theme_export"),
    path("themes/<int:pk>/", national.theme_detail, name="theme"),
    path("themes/<int:pk>/rename/", national.theme_rename, name="theme_rename"),
    path("themes/<int:pk>/confirm/", national.theme_confirm, name="theme_confirm"),
    path("themes/<int:pk>/merge/", national.theme_merge, name="theme_merge"),
    path("themes/<int:pk>/split/", national.theme_split, name="theme_split"),
    path("figures/", national.figure_comparison, name="figures"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<slug:slug>/", reports.report_detail, name="report"),
    path("actions/export.<str:fmt>", exports.export_actions, name="action_export"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/regenerate/", calendar.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<slug:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    # The public register: no sign-in, published items only (tracker/views/register.py).
    path("register/", register.register_home, name="register"),
    path("register/export.csv", register.register_export, name="register_export"),
    path("register/reports/<slug:slug>/", register.register_report, name="register_report"),
    path("register/actions/<int:pk>/", register.register_action, name="register_action"),
    path("trends/", trends.trends_page, name="trends"),
]
