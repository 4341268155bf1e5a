from django.urls import path

from tracker import exports, ical, register, trends, views, views_national

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("forces/<slug:slug>/", views.force_detail, name="force"),
    path("review/", views.review_queue, name="review_queue"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/overdue/", views.overdue_list, name="overdue"),
    path("actions/upcoming/", views.upcoming_list, name="upcoming"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/change/<slug:name>/", views.action_transition, name="action_transition"),
    path("actions/<int:pk>/notes/", views.action_add_note, name="action_add_note"),
    path("actions/<int:pk>/owner/", views.action_set_owner, name="action_set_owner"),
    path("actions/<int:pk>/extension/", views.action_request_extension, name="action_request_extension"),
    path("actions/<int:pk>/rag/", views.action_set_rag, name="action_set_rag"),
    path("actions/<int:pk>/publish/", views.action_set_publishable, name="action_set_publishable"),
    path("actions/bulk/", views.actions_bulk, name="actions_bulk"),
    path("recommendations/<int:pk>/priority/", views.recommendation_set_priority, name="recommendation_set_priority"),
    path("actions/<int:pk>/link/", views.action_link_recurrence, name="action_link_recurrence"),
    path("reports/<slug:slug>/publish/", views.report_set_publishable, name="report_set_publishable"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("themes/", views_national.theme_list, name="theme_list"),
    path("themes/export.<str:fmt>", views_national.theme_export, name="theme_export"),
    path("themes/<int:pk>/", views_national.theme_detail, name="theme"),
    path("themes/<int:pk>/rename/", views_national.theme_rename, name="theme_rename"),
    path("themes/<int:pk>/confirm/", views_national.theme_confirm, name="theme_confirm"),
    path("themes/<int:pk>/merge/", views_national.theme_merge, name="theme_merge"),
    path("themes/<int:pk>/split/", views_national.theme_split, name="theme_split"),
    path("figures/", views_national.figure_comparison, name="figures"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<slug:slug>/", views.report_detail, name="report"),
    path("actions/export.<str:fmt>", exports.export_actions, name="action_export"),
    path("calendar/", ical.calendar_page, name="calendar"),
    path("calendar/regenerate/", ical.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<slug:token>.ics", ical.calendar_feed, name="calendar_feed"),
    # The public register: no sign-in, published items only (tracker/register.py).
    path("register/", register.register_home, name="register"),
    path("register/export.csv", register.register_export, name="register_export"),
    path("register/reports/<slug:slug>/", register.register_report, name="register_report"),
    path("register/actions/<int:pk>/", register.register_action, name="register_action"),
    path("trends/", trends.trends_page, name="trends"),
]
