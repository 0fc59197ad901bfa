"""Every file upload refuses the wrong type, a disguised file, an empty or oversized
one, and keeps a file whose name climbs out of its folder strictly inside MEDIA_ROOT.

The uploads: assessment evidence and model-version evidence, each through the API
(multipart) and through its HTML form. A refused file leaves no row and no file
behind; an accepted one is stored under a name of the server's choosing (its SHA-256),
and the name it came with is kept only as a plain file name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from apps.assessments.models import Evidence
from apps.core.uploads import MAX_EVIDENCE_BYTES
from apps.registry.models import EvidenceItem
from tests.assessments.factories import PDF_BYTES, assessment_in
from tests.contract.bad_input import changes, error_of, snapshot
from tests.core.test_api_permissions import _version

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03" + b"\x00" * 64
REFUSED = {
    "an executable": ("tool.exe", EXE),
    "no extension": ("card", PDF_BYTES),
    "a disguised executable": ("card.pdf", EXE),
    "an image that is not one": ("chart.png", PDF_BYTES),
    "text that is not UTF-8": ("notes.txt", b"\xff\xfe\x00n\x00o"),
    "an empty file": ("card.pdf", b""),
    "one byte over the limit": ("card.pdf", PDF_BYTES.ljust(MAX_EVIDENCE_BYTES + 1)),
}
CLIMBING_NAMES = [
    "../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "..\\..\\windows\\card.pdf",
    "C:\\evidence\\card.pdf",
    "....//....//card.pdf",
    "card\x00.pdf",
    "%2e%2e%2fcard.pdf",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root: Path) -> set[Path]:
    return (
        {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()
    )


@pytest.fixture
def uploads(team, make_user, api_client, settings):
    """name -> send(file) for each of the four uploads, as the team's member."""
    member = make_user("team_member", team=team)
    world = type("World", (), {"team": team, "member": member})()
    assessment = assessment_in(team, "draft")
    question = assessment.evidence.get().question
    model_id = _version(world).model_id
    api, page = api_client(member), Client()
    page.force_login(member)
    routes = {
        "assessment API": (
            api,
            f"/api/v1/assessments/{assessment.pk}/evidence/",
            {"question": question.pk},
        ),
        "version API": (
            api,
            f"/api/v1/registry/versions/{world.version.pk}/evidence/",
            {"requirement_key": "model_card", "kind": "model_card"},
        ),
        "assessment form": (
            page,
            f"/assessments/{assessment.pk}/evidence/add/",
            {"question": question.pk},
        ),
        "version form": (
            page,
            f"/registry/models/{model_id}/evidence/",
            {"version": world.version.pk, "requirement": "model_card"},
        ),
    }

    def sender(client, path, data):
        def send(name: str, content: bytes):
            upload = SimpleUploadedFile("placeholder", content)
            upload.name = name  # as sent, unsanitised
            with transaction.atomic():
                return client.post(path, {**data, "file": upload}, format="multipart")

        return send

    return {name: sender(*route) for name, route in routes.items()}


UPLOADS = ["assessment API", "version API", "assessment form", "version form"]


@pytest.mark.parametrize("upload", UPLOADS)
def test_upload_refuses_wrong_type_disguise_empty_and_oversize(
    uploads, upload, media_root
):
    failures = []

    for label, (name, content) in REFUSED.items():
        before, files = snapshot(), _files(media_root)
        response = uploads[upload](name, content)
        changed, new_files = changes(before, snapshot()), _files(media_root) - files
        if response.status_code >= 500 or changed or new_files:
            failures.append(f"{label}: {response.status_code}, {changed}, {new_files}")
        elif upload.endswith("API") and (
            response.status_code != 400 or "file" not in error_of(response)["fields"]
        ):
            failures.append(f"{label}: {response.status_code} {response.content[:200]}")

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("upload", UPLOADS)
def test_upload_keeps_a_climbing_name_inside_media_root(uploads, upload, media_root):
    failures = []

    for name in CLIMBING_NAMES:
        response = uploads[upload](name, PDF_BYTES)
        if response.status_code >= 500:
            failures.append(f"{name!r}: {response.status_code}")

    root = media_root.resolve()
    stored = [
        *Evidence.objects.exclude(file=""),
        *EvidenceItem.objects.exclude(file=""),
    ]
    for row in stored:
        path = Path(row.file.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            failures.append(f"{row.file.name!r} is stored at {path}, outside {root}")
        if any(part in row.file_name for part in ("/", "\\", "\x00")):
            failures.append(f"kept name {row.file_name!r} is not a plain file name")
    assert not failures, "\n".join(failures)
    assert stored, "no file was accepted: the names were not put to the test"
    assert all(path.is_relative_to(root) for path in _files(media_root))
