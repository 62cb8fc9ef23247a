from django.urls import path

from caseassess.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
]
