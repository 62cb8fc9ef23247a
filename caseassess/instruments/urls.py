from django.urls import path

from caseassess.instruments import manage_views, views

app_name = "instruments"
urlpatterns = [
    path("", views.index, name="index"),
    path("manage/versions/", manage_views.versions, name="versions"),
    path("manage/versions/<int:pk>/", manage_views.version_review, name="version_review"),
    path("manage/versions/<int:pk>/publish/", manage_views.version_publish, name="version_publish"),
    path("<slug:instrument_id>/", views.browse, name="browse"),
    path("<slug:instrument_id>/case-details/", views.case_details, name="case_details"),
    path("<slug:instrument_id>/search/", views.search, name="search"),
    path("<slug:instrument_id>/ratings/", views.ratings, name="ratings"),
    path("<slug:instrument_id>/sections/<str:section_id>/", views.section, name="section"),
    path("<slug:instrument_id>/tables/<slug:table_id>/", views.table, name="table"),
]
