from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    name = "apps.roadmaps"
    label = "roadmaps"
    verbose_name = "Improvement roadmaps"

    def ready(self) -> None:
        from apps.roadmaps import receivers  # noqa: F401  (connects the receivers)
