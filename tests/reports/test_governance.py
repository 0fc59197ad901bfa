"""Model governance reports: the registry's decisions in a PDF whose appendix lets an
auditor re-verify the audit trail offline, with the files attached to the PDF."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from apps.audit.db import drop_append_only_triggers
from apps.audit.models import AuditEvent, Chain
from apps.registry import promotion, services
from apps.registry.models import ModelVersion
from apps.reports import services as reports
from apps.reports.content.governance import governance_content
from apps.reports.models import Report
from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.registry.conftest import Registry

pytestmark = pytest.mark.django_db

MODEL_NAME = "信用评分模型"
APPROVER_NAME = "王芳"
REJECTION = "Recall drops on the 2025 cohort."


@pytest.fixture
def registry(org, make_user) -> Registry:
    services.policy_defaults_install(organization=org)
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="风控团队"
    )
    approver = make_user("approver")
    approver.first_name, approver.last_name = APPROVER_NAME, ""
    approver.save()
    return Registry(
        team=team,
        lead=make_user("team_lead", team=team),
        member=make_user("team_member", team=team),
        approvers=[approver, make_user("approver")],
        risk_officers=[make_user("risk_officer") for _ in range(2)],
        admin=make_user("org_admin"),
        outsider=make_user("team_member", team=TeamFactory()),
    )


def _approved_version(registry: Registry, model) -> ModelVersion:
    version = registry.version(model)
    for key in ("validation_report", "model_card"):
        registry.evidence(version, key)
    return version


@pytest.fixture
def story(registry: Registry):
    """A high-risk model named in Chinese: v1 applied with two approvals, v2 rejected
    with a comment, v3 promoted by breaking the glass, its retrospective ratified, and
    then left overdue for revalidation. A low-risk model besides, for the org's view."""
    model = registry.model(tier="high", name=MODEL_NAME)
    approver, officer = registry.approvers[0], registry.risk_officers[0]

    first = registry.request(_approved_version(registry, model))
    registry.approve(first, approver, officer)
    promotion.promotion_apply(request=first, applied_by=registry.lead)

    second = registry.request(_approved_version(registry, model))
    services.comment_add(
        author=registry.lead, body="Shadow run attached.", request=second
    )
    promotion.promotion_decide(
        request=second, approver=officer, approve=False, comment=REJECTION
    )

    third = registry.request(_approved_version(registry, model))
    glass = promotion.promotion_apply(
        request=third, applied_by=officer, break_glass=True, reason="Fraud spike"
    )
    review = glass.retrospective
    registry.approve(review, approver, registry.risk_officers[1])

    ModelVersion.objects.filter(pk=third.version_id).update(
        revalidation_due=timezone.localdate() - timedelta(days=3)
    )
    promotion.mark_overdue_revalidations()

    registry.model(tier="low", name="Churn scorer")
    return model


def _render(**scope) -> Report:
    report = reports.report_request(
        kind=Report.Kind.GOVERNANCE, requested_by=None, enqueue=False, **scope
    )
    return reports.report_render(report_id=report.pk)


def _pdf(report: Report) -> PdfReader:
    with report.file.open("rb") as pdf:
        return PdfReader(io.BytesIO(pdf.read()))


def _text(report: Report) -> str:
    return "\n".join(page.extract_text() for page in _pdf(report).pages)


def _flowing(text: str) -> str:
    """One space for every run of whitespace: a phrase wrapped across lines reads whole.

    How a line wraps depends on the names beside it, which the factories pick at random.
    """
    return re.sub(r"\s+", " ", text)


def _squeezed(text: str) -> str:
    """Without whitespace: a hash wrapped across lines reads as one word again."""
    return re.sub(r"\s+", "", text)


def _save_attachments(report: Report, folder: Path) -> dict[str, Path]:
    saved = {}
    for name, contents in _pdf(report).attachments.items():
        saved[name] = folder / name
        saved[name].write_bytes(contents[0])
    return saved


def _verify_offline(files: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(files["verify_audit_export.py"]),
            str(files["audit-events.jsonl"]),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _head_args(report: Report) -> list[str]:
    return [
        *("--head-seq", str(report.audit_head_seq)),
        *("--head-hash", report.audit_head_hash),
    ]


# --- The report on one model ----------------------------------------------------------


def test_a_model_report_holds_its_decisions_and_an_intact_trail(story, registry):
    report = _render(model=story)

    assert report.status == Report.Status.DONE, report.error
    text = _text(report)
    flowing = _flowing(text)
    for expected in (
        MODEL_NAME,
        "风控团队",
        APPROVER_NAME,
        "Risk officer",
        "Approver",
        REJECTION,
        "Shadow run attached.",
        "break-glass",
        "ratified",
        "Overdue revalidations",
        "Intact: every event",
        "verify_audit_export.py",
        "pdfdetach -saveall",
    ):
        assert expected in flowing, expected
    squeezed = _squeezed(text)
    evidence = story.versions.get(version=1).evidence.first()
    assert evidence.sha256 in squeezed
    assert report.audit_head_hash in squeezed
    assert report.audit_verified is True
    head = AuditEvent.objects.get(seq=report.audit_head_seq)
    assert bytes(head.hash).hex() == report.audit_head_hash
    assert head.action == "report.rendering"  # the last event before verification


def _registered(name: str) -> AuditEvent:
    return AuditEvent.objects.get(
        action="model.registered", canonical__contains=f'"name":"{name}"'
    )


def test_the_model_report_lists_its_model_s_events_and_no_other(story):
    report = _render(model=story)

    text = _squeezed(_text(report))
    decided = AuditEvent.objects.filter(action="promotion_request.decided")
    assert decided.count() == 5
    for event in decided:
        assert event.seq <= report.audit_head_seq
        assert bytes(event.hash).hex() in text
    assert bytes(_registered(MODEL_NAME).hash).hex() in text
    assert bytes(_registered("Churn scorer").hash).hex() not in text


# --- Offline verification ----------------------------------------------------------------


def test_the_attached_export_verifies_offline_with_the_attached_script(story, tmp_path):
    report = _render(model=story)
    files = _save_attachments(report, tmp_path)

    assert set(files) == {"audit-events.jsonl", "verify_audit_export.py"}
    lines = files["audit-events.jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == report.audit_head_seq
    assert any(MODEL_NAME in line for line in lines)  # UTF-8, not \\u escapes
    result = _verify_offline(files, *_head_args(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK ")

    edited = json.loads(lines[4])
    edited["canonical"] = edited["canonical"].replace('"seq":5', '"seq":5 ')
    lines[4] = json.dumps(edited, ensure_ascii=False)
    files["audit-events.jsonl"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _verify_offline(files, *_head_args(report))
    assert result.returncode == 1
    assert "FAILED" in result.stdout
    assert "line 5 (seq 5)" in result.stdout


def test_a_signed_checkpoint_verifies_and_a_wrong_key_fails(story, tmp_path, settings):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    settings.TOLLGATE_AUDIT_SIGNING_KEY = base64.b64encode(raw).decode()

    report = _render(model=story)
    files = _save_attachments(report, tmp_path)

    checkpoint = json.loads(files["checkpoint.json"].read_text(encoding="utf-8"))
    assert checkpoint["payload"] == {
        "chain": Chain.objects.get(organization=story.organization).key,
        "head_seq": report.audit_head_seq,
        "head_hash": report.audit_head_hash,
        "verified": True,
        "first_bad_seq": None,
        "generated_at": checkpoint["payload"]["generated_at"],
        "organization": "acme",
    }
    text = _squeezed(_text(report))
    assert checkpoint["signature"] in text
    assert checkpoint["key_fingerprint"] in text
    # The chain itself records the signature the report carries.
    rendered = json.loads(
        AuditEvent.objects.get(
            action="report.rendered", object_id=str(report.pk)
        ).canonical
    )
    assert rendered["data"]["checkpoint_signature"] == checkpoint["signature"]
    assert (
        rendered["data"]["checkpoint_key_fingerprint"] == checkpoint["key_fingerprint"]
    )
    with_checkpoint = ("--checkpoint", str(files["checkpoint.json"]))
    result = _verify_offline(files, *with_checkpoint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Checkpoint signature verified" in result.stdout

    other = Ed25519PrivateKey.generate().public_key()
    other_raw = other.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pinned = ("--public-key", base64.b64encode(other_raw).decode())
    result = _verify_offline(files, *with_checkpoint, *pinned)
    assert result.returncode == 1
    assert "signed with another key" in result.stdout

    checkpoint["public_key"] = base64.b64encode(other_raw).decode()
    checkpoint["key_fingerprint"] = hashlib.sha256(other_raw).hexdigest()
    files["checkpoint.json"].write_text(json.dumps(checkpoint), encoding="utf-8")
    result = _verify_offline(files, *with_checkpoint)
    assert result.returncode == 1
    assert "signature does not verify" in result.stdout


def test_a_malformed_signing_key_fails_the_report_readably(story, settings):
    settings.TOLLGATE_AUDIT_SIGNING_KEY = "not a key"

    report = _render(model=story)

    assert report.status == Report.Status.FAILED
    assert "TOLLGATE_AUDIT_SIGNING_KEY is not an Ed25519 private key" in report.error


def test_a_chain_too_long_to_embed_says_how_to_export_it(story, tmp_path, settings):
    settings.REPORTS_EMBED_EVENTS_MAX = 5

    report = _render(model=story)

    assert set(_save_attachments(report, tmp_path)) == {"verify_audit_export.py"}
    text = _flowing(_text(report))
    assert (
        f"manage.py audit_export --org acme --through-seq {report.audit_head_seq}"
        in text
    )


# --- A tampered chain ----------------------------------------------------------------------


def test_a_tampered_chain_gives_a_report_that_says_verification_failed(story, tmp_path):
    chain = Chain.objects.get(organization=story.organization)
    drop_append_only_triggers(connection)
    event = AuditEvent.objects.get(chain=chain, canonical__contains=REJECTION)
    AuditEvent.objects.filter(pk=event.pk).update(
        canonical=event.canonical.replace(REJECTION, "Looks fine.")
    )

    report = _render(model=story)

    assert report.status == Report.Status.DONE
    assert report.audit_verified is False
    text = _flowing(_text(report))
    assert f"VERIFICATION FAILED at seq {event.seq}: edited" in text
    assert "Intact" not in text
    # The attached export carries the edit too: offline, it fails at the same seq.
    result = _verify_offline(_save_attachments(report, tmp_path), *_head_args(report))
    assert result.returncode == 1
    assert f"(seq {event.seq})" in result.stdout


# --- Scope and period ------------------------------------------------------------------------


def test_the_organisation_report_lists_every_model_by_tier(story):
    report = _render(organization=story.organization)

    assert report.status == Report.Status.DONE, report.error
    assert report.model is None
    text = _text(report)
    for expected in (MODEL_NAME, "Churn scorer", "High risk", "Low risk", "Intact"):
        assert expected in _flowing(text)
    assert bytes(_registered("Churn scorer").hash).hex() in _squeezed(text)


def test_a_period_selects_its_quarter_and_an_empty_one_fails_readably(story):
    this_quarter = timezone.now()
    period = f"{this_quarter.year}-Q{(this_quarter.month - 1) // 3 + 1}"

    assert _render(model=story, period=period).status == Report.Status.DONE
    empty = _render(model=story, period="2020-Q1")

    assert empty.status == Report.Status.FAILED
    assert empty.error == (
        f"No promotion requests in 2020-Q1, and no registry activity of {MODEL_NAME} then."
    )
    assert not empty.file


def test_the_command_renders_a_model_named_in_chinese(story, tmp_path):
    out = tmp_path / "governance.pdf"
    stdout = io.StringIO()

    call_command(
        "report_render",
        "governance",
        *("--org", "acme", "--model", MODEL_NAME, "--out", str(out)),
        stdout=stdout,
    )

    report = Report.objects.get(kind=Report.Kind.GOVERNANCE)
    assert f"sha256 {report.sha256}" in stdout.getvalue()
    assert MODEL_NAME in "".join(page.extract_text() for page in PdfReader(out).pages)
    with pytest.raises(CommandError, match="No model 'nope'"):
        call_command(
            "report_render",
            "governance",
            *("--org", "acme", "--model", "nope", "--out", str(out)),
        )


# --- Reading stays a fixed number of queries ----------------------------------------------------


def _queries_to_read(model, chain) -> int:
    with CaptureQueriesContext(connection) as queries:
        governance_content(
            organization=model.organization, model=model, period="", chain=chain
        )
    return len(queries)


def test_reading_takes_as_many_queries_for_ten_requests_as_for_two(story, registry):
    chain = Chain.objects.get(organization=story.organization)
    few = _queries_to_read(story, chain)

    other = registry.model(tier="low", name="Lots of requests")
    for _ in range(2):
        version = registry.version(other)
        registry.evidence(version, "model_card")
        request = registry.request(version)
        services.comment_add(author=registry.lead, body="Ready.", request=request)
        registry.approve(request, registry.approvers[0])
        promotion.promotion_apply(request=request, applied_by=registry.lead)
    two = _queries_to_read(other, Chain.objects.get(pk=chain.pk))
    for _ in range(8):
        version = registry.version(other)
        registry.evidence(version, "model_card")
        request = registry.request(version)
        services.comment_add(author=registry.lead, body="Ready.", request=request)
        registry.approve(request, registry.approvers[0])
        promotion.promotion_apply(request=request, applied_by=registry.lead)
    ten = _queries_to_read(other, Chain.objects.get(pk=chain.pk))

    assert two == ten
    assert few <= ten + 1  # the break-glass review's decisions: one more at most
