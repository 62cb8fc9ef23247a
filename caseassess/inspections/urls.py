from django.urls import path

from caseassess.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.home, name="home"),
    path("inspections/new/", views.create, name="create"),
    path("inspections/<int:pk>/", views.detail, name="detail"),
    path("inspections/<int:pk>/cases/new/", views.add_case, name="add_case"),
    path("inspections/<int:pk>/cases/import/", views.import_cases, name="import_cases"),
    path("inspections/<int:pk>/assessments/import/", views.import_assessments, name="import_assessments"),
    path("inspections/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("inspections/<int:pk>/area-tiering/", views.area_tiering, name="area_tiering"),
]
