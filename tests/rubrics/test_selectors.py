"""Rubric reads: who sees drafts, the tree in a fixed number of queries, org settings."""

from __future__ import annotations

import pytest

from apps.rubrics import selectors
from apps.rubrics.models import Rubric
from apps.rubrics.services import dimension_setting_set, team_target_set
from tests.accounts.factories import OrganizationFactory
from tests.rubrics.helpers import MINI_TEXT, edit, import_mini

pytestmark = pytest.mark.django_db


def _version(version: str, *, publish: bool = True) -> Rubric:
    text = edit(MINI_TEXT, ("version: 1.0.0", f"version: {version}"))
    return import_mini(text=text, publish=publish)


@pytest.fixture
def rubrics():
    """A retired, a published and a draft version of mini."""
    retired = _version("0.9.0")
    Rubric.objects.filter(pk=retired.pk).update(status=Rubric.Status.RETIRED)
    return {
        "retired": retired,
        "published": _version("1.0.0"),
        "draft": _version("1.1.0", publish=False),
    }


def test_rubric_list_hides_drafts_from_people(rubrics, make_user):
    listed = selectors.rubric_list(fetched_by=make_user())

    assert {r.version for r in listed} == {"0.9.0", "1.0.0"}


def test_rubric_list_shows_drafts_to_staff(rubrics, make_user):
    staff = make_user()
    staff.is_staff = True

    listed = selectors.rubric_list(fetched_by=staff)

    assert {r.version for r in listed} == {"0.9.0", "1.0.0", "1.1.0"}


def test_rubric_get_for_a_person_finds_no_draft(rubrics, make_user):
    user = make_user()

    assert selectors.rubric_get(slug="mini", version="1.1.0", fetched_by=user) is None
    assert selectors.rubric_get(slug="mini", version="0.9.0", fetched_by=user)


def test_rubric_get_without_fetcher_finds_drafts(rubrics):
    assert selectors.rubric_get(slug="mini", version="1.1.0") == rubrics["draft"]


def test_rubric_latest_published_skips_drafts_and_retired(rubrics):
    assert selectors.rubric_latest_published(slug="mini") == rubrics["published"]


def test_rubric_tree_get_loads_everything_in_six_queries(
    rubrics, make_user, django_assert_num_queries
):
    user = make_user()

    # rubric, levels, dimensions, questions, options, criteria (joined to question)
    with django_assert_num_queries(6):
        tree = selectors.rubric_tree_get(slug="mini", version="1.0.0", fetched_by=user)
        levels = [lv.level for lv in tree.levels.all()]
        dimensions = tree.dimensions.all()
        criteria = {c.key: c.question.key for d in dimensions for c in d.criteria.all()}
        options = {
            q.key: len(q.options.all()) for d in dimensions for q in d.questions.all()
        }

    assert levels == [0, 1, 2, 3, 4]
    assert criteria["data.l2.versioned"] == "data.snapshots"
    assert options == {
        "data.snapshots": 3,
        "data.l3.validated": 3,
        "ops.l1.owner": 0,
        "ops.l2.runbook": 0,
        "ops.l4.pass-rate": 0,
    }


def test_dimension_weights_apply_the_organisations_override_only(make_user, org):
    import_mini()
    admin = make_user("org_admin")
    dimension_setting_set(
        organization=org,
        rubric_slug="mini",
        dimension_key="ops",
        weight=3.0,
        core=True,
        actor=admin,
    )

    mine = selectors.dimension_weights(organization=org, rubric_slug="mini")
    theirs = selectors.dimension_weights(
        organization=OrganizationFactory(), rubric_slug="mini"
    )

    assert [(d.key, d.weight, d.core, d.overridden) for d in mine.dimensions] == [
        ("data", 1.5, True, False),
        ("ops", 3.0, True, True),
    ]
    assert mine.dimensions[1].default_weight == 1.0
    assert mine.dimensions[1].default_core is False
    assert [d.overridden for d in theirs.dimensions] == [False, False]


def test_dimension_weights_of_unpublished_rubric_is_none(org):
    import_mini(publish=False)

    assert selectors.dimension_weights(organization=org, rubric_slug="mini") is None


def test_team_targets_list_every_dimension_with_none_when_unset(make_user, team):
    rubric = import_mini()
    team_target_set(
        team=team,
        rubric_slug="mini",
        dimension_key="ops",
        level=2,
        actor=make_user("org_admin"),
    )

    targets = selectors.team_targets(team=team, rubric_slug="mini")

    assert targets.rubric == rubric
    assert [(d.key, d.level) for d in targets.dimensions] == [
        ("data", None),
        ("ops", 2),
    ]


def test_setting_and_target_lists_filter_by_rubric(make_user, org, team):
    import_mini()
    admin = make_user("org_admin")
    dimension_setting_set(
        organization=org,
        rubric_slug="mini",
        dimension_key="data",
        weight=2,
        core=True,
        actor=admin,
    )
    team_target_set(
        team=team, rubric_slug="mini", dimension_key="data", level=1, actor=admin
    )

    assert (
        selectors.dimension_setting_list(organization=org, rubric_slug="other").count()
        == 0
    )
    assert selectors.dimension_setting_list(organization=org).count() == 1
    assert selectors.team_target_list(team=team, rubric_slug="mini").count() == 1
