from django.urls import path

from caseassess.sampling import views

app_name = "sampling"
urlpatterns = [
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/caseload/", views.upload_caseload, name="upload_caseload"),
    path("inspections/<int:pk>/draws/", views.draw, name="draw"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/add/", views.add_sample, name="add_sample"),
    path("inspections/<int:pk>/weighted/", views.weighted, name="weighted"),
    path("inspections/<int:pk>/double/", views.double_assessment, name="double_assessment"),
    path("double/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("inspections/<int:pk>/agreement/", views.agreement_inspection, name="agreement_inspection"),
    path("programmes/<int:pk>/agreement/", views.agreement_programme, name="agreement_programme"),
    path("inspections/<int:pk>/benchmark/", views.benchmark, name="benchmark"),
]
