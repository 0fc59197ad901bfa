"""The Celery application. Tasks run eagerly in-process when no broker is configured."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tollgate", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules below an app's top level, which autodiscovery does not look for.
app.autodiscover_tasks(["apps.registry.mlflow"])


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers and beat log as the web does (LOG_FORMAT, LOG_LEVEL): without a receiver
    Celery swaps the root handlers for its own plain format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
