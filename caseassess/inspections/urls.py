from django.urls import path

from caseassess.inspections import setup_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.home, name="home"),
    path("inspections/new/", setup_views.inspection_create, name="create"),
    path("inspections/<int:pk>/", views.detail, name="detail"),
    path("inspections/<int:pk>/edit/", setup_views.inspection_edit, name="edit"),
    path("inspections/<int:pk>/team/", setup_views.members, name="members"),
    path("inspections/<int:pk>/close/", setup_views.close, name="close"),
    path("inspections/<int:pk>/reopen/", setup_views.reopen, name="reopen"),
    path("inspections/<int:pk>/cases/new/", views.add_case, name="add_case"),
    path("inspections/<int:pk>/cases/import/", views.import_cases, name="import_cases"),
    path("inspections/<int:pk>/assessments/import/", views.import_assessments, name="import_assessments"),
    path("inspections/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("inspections/<int:pk>/area-tiering/", views.area_tiering, name="area_tiering"),
    path("programmes/", setup_views.programmes, name="programmes"),
    path("programmes/new/", setup_views.programme_edit, name="programme_create"),
    path("programmes/<int:pk>/edit/", setup_views.programme_edit, name="programme_edit"),
    path("areas/", setup_views.areas, name="areas"),
    path("areas/new/", setup_views.area_edit, name="area_create"),
    path("areas/<int:pk>/edit/", setup_views.area_edit, name="area_edit"),
]
