from django.urls import path

from caseassess.assessments import views

app_name = "assessments"
urlpatterns = [
    path("assessments/<int:pk>/", views.task_list, name="task_list"),
    path("assessments/<int:pk>/case-details/", views.case_details, name="case_details"),
    path("assessments/<int:pk>/sections/<str:section_id>/", views.section, name="section"),
    path("assessments/<int:pk>/check/", views.check_answers, name="check"),
    path("assessments/<int:pk>/submitted/", views.submitted, name="submitted"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("cases/<int:case_id>/history/", views.history, name="history"),
]
