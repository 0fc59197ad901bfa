"""Optional sync with an MLflow tracking server: client.py talks to MLflow's REST API,
sync.py holds the services, tasks.py the Celery tasks (discovered via config/celery.py).
"""
