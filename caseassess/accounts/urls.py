from django.urls import path

from caseassess.accounts import views, views_users

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("welcome/<str:token>/", views_users.welcome, name="welcome"),
    path("users/", views_users.users, name="users"),
    path("users/new/", views_users.user_create, name="user_create"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/role/", views_users.user_role, name="user_role"),
    path("users/<int:pk>/deactivate/", views_users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views_users.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/reset-two-factor/", views_users.user_reset_two_factor, name="user_reset_two_factor"),
    path("users/<int:pk>/new-link/", views_users.user_invite, name="user_invite"),
    path("users/<int:pk>/unlock/", views_users.user_unlock, name="user_unlock"),
]
