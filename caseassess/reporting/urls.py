from django.urls import path

from caseassess.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/compare/", views.compare, name="compare"),
    path("programmes/<int:pk>/compare/findings.<str:fmt>", views.compare_export, name="compare_export"),
    path("programmes/<int:pk>/findings.<str:fmt>", views.programme, name="programme_export"),
    path("programmes/<int:pk>/ratings/", views.programme_ratings, name="programme_ratings"),
    path("programmes/<int:pk>/trends/", views.trends, name="trends"),
    path("programmes/<int:pk>/trends/trends.<str:fmt>", views.trends, name="trends_export"),
    path("programmes/<int:pk>/ratings/ratings.<str:fmt>", views.programme_ratings, name="programme_ratings_export"),
    path("inspections/<int:pk>/ratings/", views.inspection_ratings, name="inspection_ratings"),
    path("inspections/<int:pk>/ratings/ratings.<str:fmt>", views.inspection_ratings, name="inspection_ratings_export"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/findings.<str:fmt>", views.inspection, name="inspection_export"),
]
