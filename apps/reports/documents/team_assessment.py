"""The team assessment report: a team's levels, evidence, history and roadmap."""

from __future__ import annotations

from apps.dashboards.charts import team_history
from apps.reports.charts import svg_data_uri
from apps.reports.content import team_assessment as content_of
from apps.reports.documents import Document, Progress
from apps.reports.models import Report


def build(report: Report, progress: Progress) -> Document:
    content = content_of.team_assessment_content(team=report.team, period=report.period)
    progress(30)
    history = svg_data_uri(team_history(content.history))
    progress(60)
    return Document(
        template="reports/team_assessment.html",
        title=f"Team assessment: {report.team.name}",
        context={"content": content, "history_chart": history},
    )
