from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views as api

router = DefaultRouter()
router.register("programmes", api.ProgrammeViewSet, basename="programme")
router.register("initiatives", api.InitiativeViewSet, basename="initiative")
router.register("targets", api.TargetViewSet, basename="target")
router.register("rounds", api.RoundViewSet, basename="round")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("indicators", api.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
]
