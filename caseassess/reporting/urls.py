from django.urls import path

from caseassess.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
]
