"""PDF reports: how much of a report's rendering is WeasyPrint, and how much is ours.

    .venv/bin/python bench/reports.py [--requests 200] [--repeats 3]
                                      [--database-url URL]

Without --database-url it runs on a throw-away SQLite file in a temporary folder;
with it, it migrates that database and adds its data next to what is there: point it
at a database kept for benchmarks, never at one with real data.

It seeds the demo organisation (`seed_demo`), then:

- a team report of about 30 pages: the demo team "Credit Risk Scoring" (every one of
  the default rubric's 115 criteria with its answers, evidence and signals, its
  history and a 43-item roadmap): 30 pages on Letter paper, 28 on A4;
- a governance report on one model with --requests promotion requests, each walked
  through the registry's services as people would (version, request, evidence
  reviewed, decisions, apply; every fifth rejected with a comment), so the audit
  chain holds every event.

Each report is requested and rendered --repeats times through the same service the
workers run (`report_render`), after one warm-up render (`first_render_s`), which
also starts the chart browser as a worker does once, when its process starts. While
it renders, the bench times the calls into WeasyPrint (`render_pdf`) and into kaleido
(`plotly.io.to_image`). The floor is WeasyPrint alone: the same HTML and
attachments rendered to PDF again, outside the pipeline.

It prints one JSON object with, per report: pages, total_s (median), weasyprint_s
(the floor, median), weasyprint_in_pipeline_s, chart_export_s, charts, the ratio
total_s / weasyprint_s and the file's size; and which targets were met (ratio ≤ 1.5).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from _harness import configure, server_environment

RATIO_GOAL = 1.5
TEAM = "credit-risk-scoring"
MODEL = "bench-governance-model"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paper", default="Letter", choices=["A4", "Letter"])
    return parser.parse_args()


# --- Data ---------------------------------------------------------------------------


def seed(requests: int) -> dict:
    from django.core.management import call_command

    from apps.accounts.models import Organization

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Its stdout lists the demo logins: not part of the JSON.
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    org = Organization.objects.get(slug="acme")
    from _report_data import governed_model

    governed_model(org, MODEL, requests=requests)
    return {"seed_s": round(time.perf_counter() - started, 1)}


# --- Measuring ----------------------------------------------------------------------


class Timings:
    """Time spent in WeasyPrint and in kaleido during one rendering, and what
    WeasyPrint was given (to render it again alone)."""

    def __init__(self) -> None:
        self.weasyprint_s = 0.0
        self.chart_s = 0.0
        self.charts = 0
        self.html = ""
        self.attachments: tuple = ()


@contextmanager
def timed_pipeline():
    """Wrap the two calls the pipeline makes into other libraries with timers. The
    wrappers call straight through: the report is rendered exactly as in a worker."""
    import plotly.io as pio

    from apps.reports import services

    timings = Timings()
    render_pdf, to_image = services.render_pdf, pio.to_image

    def timed_render(html, *, attachments=(), **kwargs):
        timings.html, timings.attachments = html, attachments
        started = time.perf_counter()
        try:
            return render_pdf(html, attachments=attachments, **kwargs)
        finally:
            timings.weasyprint_s += time.perf_counter() - started

    def timed_to_image(*args, **kwargs):
        started = time.perf_counter()
        try:
            return to_image(*args, **kwargs)
        finally:
            timings.chart_s += time.perf_counter() - started
            timings.charts += 1

    services.render_pdf, pio.to_image = timed_render, timed_to_image
    try:
        yield timings
    finally:
        services.render_pdf, pio.to_image = render_pdf, to_image


def render_once(kind: str, scope: dict, paper: str) -> tuple[float, Timings, object]:
    from apps.reports import services
    from apps.reports.models import Report

    report = services.report_request(
        kind=kind, requested_by=None, page_size=paper, enqueue=False, **scope
    )
    with timed_pipeline() as timings:
        started = time.perf_counter()
        report = services.report_render(report_id=report.pk)
        total = time.perf_counter() - started
    if report.status != Report.Status.DONE:
        raise SystemExit(f"{kind} report failed: {report.error}")
    return total, timings, report


def weasyprint_alone(timings: Timings, repeats: int) -> float:
    from apps.reports.rendering import render_pdf

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        render_pdf(timings.html, attachments=timings.attachments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(kind: str, scope: dict, paper: str, repeats: int) -> dict:
    # Warm-up: templates, fonts and, for the first report, the chart browser (started
    # in the background; a worker starts it when its process starts).
    first = render_once(kind, scope, paper)[0]
    runs = [render_once(kind, scope, paper) for _ in range(repeats)]
    total = statistics.median(run[0] for run in runs)
    floor = weasyprint_alone(runs[-1][1], repeats)
    report = runs[-1][2]
    return {
        "pages": report.page_count,
        "first_render_s": round(first, 3),
        "total_s": round(total, 3),
        "weasyprint_s": round(floor, 3),
        "weasyprint_in_pipeline_s": round(
            statistics.median(run[1].weasyprint_s for run in runs), 3
        ),
        "chart_export_s": round(statistics.median(run[1].chart_s for run in runs), 3),
        "charts": runs[-1][1].charts,
        "ratio": round(total / floor, 3),
        "bytes": report.file.size,
        "attachments": len(runs[-1][1].attachments),
    }


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as scratch:
        scratch = Path(scratch)
        url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
        configure(server_environment(url, DJANGO_MEDIA_ROOT=str(scratch / "media")))
        seeding = seed(args.requests)

        from django.db import connection

        from apps.accounts.models import Organization, Team
        from apps.audit.models import AuditEvent
        from apps.registry.models import PromotionRequest, RegisteredModel

        org = Organization.objects.get(slug="acme")
        team = Team.objects.get(organization=org, slug=TEAM)
        model = RegisteredModel.objects.get(organization=org, name=MODEL)
        figures = {
            "team_report": measure(
                "team_assessment", {"team": team}, args.paper, args.repeats
            ),
            "governance_report": {
                **measure("governance", {"model": model}, args.paper, args.repeats),
                "requests": PromotionRequest.objects.filter(
                    version__model=model
                ).count(),
            },
            "audit_events": AuditEvent.objects.filter(chain__organization=org).count(),
            "paper": args.paper,
            "repeats": args.repeats,
            "database_vendor": connection.vendor,
            **seeding,
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        figures["targets_met"] = {
            f"{name}_ratio_le_{RATIO_GOAL}": figures[name]["ratio"] <= RATIO_GOAL
            for name in ("team_report", "governance_report")
        }
        connection.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
