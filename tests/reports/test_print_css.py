"""Names in the page headers: CSS strings, escaped for CSS, read back from the PDF."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from apps.reports import services
from apps.reports.models import Report
from apps.reports.templatetags.print_css import css_string


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        # The space after an escape ends it; the name's own space follows.
        ("Risque & Conformité", "Risque \\26  Conformité"),
        ('Say "hi"', "Say \\22 hi\\22 "),
        ("</style><script>", "\\3c /style\\3e \\3c script\\3e "),
        ("back\\slash\nnew line", "back\\5c slash\\a new line"),
        ("风控模型团队", "风控模型团队"),
    ],
)
def test_css_strings_escape_what_could_end_them(text, escaped):
    assert css_string(text) == escaped


@pytest.mark.django_db
def test_a_name_with_markup_characters_prints_as_written_in_the_page_header(team):
    team.name = 'R&D <Models> "Q"'
    team.save()
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None, enqueue=False
    )

    report = services.report_render(report_id=report.pk)

    with report.file.open("rb") as pdf:
        second_page = PdfReader(pdf).pages[1].extract_text()
    assert 'Team assessment: R&D <Models> "Q"' in second_page
