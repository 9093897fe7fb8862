from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("", views.assessment_index, name="index"),
    path("<slug:programme>/", views.assessment_list, name="assessments"),
    path("<slug:programme>/ny/", views.assessment_new, name="assessment_new"),
]
