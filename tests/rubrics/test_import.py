"""rubric_import and rubric_publish: whole-file writes, immutability, one audit event each."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent, Chain
from apps.core.exceptions import ApplicationError
from apps.rubrics import services
from apps.rubrics.models import Criterion, Question, Rubric
from apps.rubrics.services import rubric_import, rubric_publish
from tests.rubrics.helpers import MINI_TEXT, edit, import_mini, mini_spec, row_counts

pytestmark = pytest.mark.django_db

RETITLED = edit(MINI_TEXT, ("title: Mini rubric", "title: Mini rubric, revised"))


def _platform_actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(chain__key=Chain.PLATFORM_KEY)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_rubric_import_writes_every_part_of_the_file():
    rubric = import_mini(publish=False)

    counts = row_counts()
    assert rubric.status == Rubric.Status.DRAFT
    assert counts | {"AuditEvent": 0} == {
        "Rubric": 1,
        "Level": 5,
        "Dimension": 2,
        "Question": 5,  # one shared, four inline
        "Option": 6,
        "Criterion": 6,
        "DimensionSetting": 0,
        "TeamTarget": 0,
        "AuditEvent": 0,
    }
    assert rubric.content_sha256 == mini_spec().fingerprint()


def test_rubric_import_shares_one_question_between_criteria():
    rubric = import_mini()

    keys = Criterion.objects.filter(rubric=rubric, question__key="data.snapshots")
    assert sorted(keys.values_list("key", flat=True)) == [
        "data.l1.documented",
        "data.l2.versioned",
    ]
    assert Question.objects.get(rubric=rubric, key="data.snapshots").shared is True


def test_rubric_import_records_one_imported_event_in_platform_chain(make_user):
    actor = make_user()

    result = rubric_import(spec=mini_spec(), actor=actor)

    event = AuditEvent.objects.get(chain__key=Chain.PLATFORM_KEY)
    assert (event.action, event.actor_id) == ("rubric.imported", actor.pk)
    assert (event.object_type, event.object_id) == (
        "rubrics.rubric",
        str(result.rubric.pk),
    )
    assert '"criteria":6' in event.canonical


def test_rubric_import_with_publish_records_imported_then_published():
    rubric = import_mini(publish=True)

    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric.published_at is not None
    assert _platform_actions() == ["rubric.imported", "rubric.published"]


def test_rubric_import_of_identical_content_changes_nothing():
    import_mini(publish=True)
    before = row_counts()

    result = rubric_import(spec=mini_spec(), publish=True)

    assert (result.created, result.published) == (False, False)
    assert row_counts() == before


def test_rubric_import_of_identical_draft_with_publish_only_publishes():
    import_mini(publish=False)

    result = rubric_import(spec=mini_spec(), publish=True)

    assert (result.created, result.published) == (False, True)
    assert Rubric.objects.get().status == Rubric.Status.PUBLISHED
    assert _platform_actions() == ["rubric.imported", "rubric.published"]


def test_rubric_import_replaces_a_draft_of_the_same_version():
    old = import_mini(publish=False)

    new = import_mini(publish=False, text=RETITLED)

    assert Rubric.objects.get() == new
    assert new.pk != old.pk
    assert new.title == "Mini rubric, revised"
    assert row_counts()["Criterion"] == 6
    assert _platform_actions() == ["rubric.imported", "rubric.imported"]


def test_rubric_import_refuses_new_content_for_a_published_version():
    import_mini(publish=True)
    before = row_counts()

    with pytest.raises(ApplicationError, match="published and cannot change") as caught:
        rubric_import(spec=mini_spec(RETITLED), publish=True)

    assert caught.value.code == "rubric_immutable"
    assert row_counts() == before
    assert Rubric.objects.get().title == "Mini rubric"


def test_rubric_import_refuses_new_content_for_a_retired_version():
    Rubric.objects.filter(pk=import_mini().pk).update(status=Rubric.Status.RETIRED)
    before = row_counts()

    with pytest.raises(ApplicationError, match="retired and cannot change"):
        rubric_import(spec=mini_spec(RETITLED))

    assert row_counts() == before


def _fail_on(action: str, monkeypatch) -> None:
    """Make the audit write for `action` fail, after the rows before it were written."""
    record_event = services.record_event

    def failing(**kwargs):
        if kwargs["action"] == action:
            raise RuntimeError(f"{action} failed")
        return record_event(**kwargs)

    monkeypatch.setattr(services, "record_event", failing)


@pytest.mark.parametrize("action", ["rubric.imported", "rubric.published"])
def test_rubric_import_rolls_back_every_row_when_a_late_step_fails(action, monkeypatch):
    import_mini(publish=True, text=edit(MINI_TEXT, ("slug: mini", "slug: other")))
    before = row_counts()
    _fail_on(action, monkeypatch)

    with pytest.raises(RuntimeError, match="failed"):
        import_mini(publish=True)

    assert row_counts() == before
    assert not Rubric.objects.filter(slug="mini").exists()


def test_rubric_import_keeps_the_old_draft_when_its_replacement_fails(monkeypatch):
    old = import_mini(publish=False)
    before = row_counts()
    _fail_on("rubric.imported", monkeypatch)

    with pytest.raises(RuntimeError):
        import_mini(publish=False, text=RETITLED)

    assert row_counts() == before
    assert Rubric.objects.get() == old
    assert Rubric.objects.get().title == "Mini rubric"


def test_rubric_publish_refuses_a_published_rubric():
    rubric = import_mini(publish=True)

    with pytest.raises(ApplicationError, match="only drafts can be published"):
        rubric_publish(rubric=rubric)

    assert _platform_actions() == ["rubric.imported", "rubric.published"]
