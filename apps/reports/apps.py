from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = "PDF reports"

    def ready(self) -> None:
        from celery.signals import worker_process_init

        worker_process_init.connect(_start_browser, weak=False)


def _start_browser(**_kwargs) -> None:
    """Each worker process starts its chart browser once, before its first report."""
    from apps.reports.charts import start_browser

    start_browser()
