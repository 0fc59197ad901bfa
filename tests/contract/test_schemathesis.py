"""The API keeps its published contract: schemathesis over the whole OpenAPI schema.

The app runs in a real server (live_server). For two callers of one organisation, an
org admin and a team member, every operation gets a few generated requests (positive
and negative data, a fixed seed) and every response must be no server error, have a
documented status code and content type, match its documented schema, and carry
nothing of the second organisation, whose names all hold OTHER_MARKER.

Path parameters are drawn from generated integers and from the real ids of both
organisations' objects, so reads and writes aimed at the other organisation's rows are
exercised on purpose, and none of them may succeed. Revoking a membership or a token
can take the caller's own access away, so those two operations run last.
Examples: MAX_EXAMPLES per operation and caller, derandomized, no shrinking.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import Membership, Organization, Role, Team, User
from apps.accounts.services import api_token_create
from apps.assessments.models import Assessment
from apps.registry import services as registry
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.factories import assessment_in
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = [pytest.mark.contract, pytest.mark.django_db(transaction=True)]

OTHER_MARKER = "zyxother"
MAX_EXAMPLES = 5
GIT_HOST = "git.invalid"
REVOCATIONS = [
    "/api/v1/memberships/{membership_id}/revoke/",
    "/api/v1/tokens/{token_id}/revoke/",
]


@dataclass
class World:
    admin: User
    member: User
    ids: dict[str, list[int]]  # both organisations' rows, by path parameter
    other_ids: dict[str, list[int]]  # the other organisation's only


def _org_with_data(name: str, slug: str) -> tuple[Organization, Team, User, dict]:
    """An organisation with a team, its lead, an assessment, a model and a repo."""
    org = OrganizationFactory(name=name, slug=slug)
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org, name=f"{name} unit"),
        name=f"{name} team",
        slug=f"{slug}-team",
    )
    lead = UserFactory(organization=org, username=f"{slug}-lead")
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=team)
    registry.policy_defaults_install(organization=org)
    assessment = assessment_in(team, Assessment.Status.SUBMITTED, file=True)
    model = registry.model_create(
        team=team,
        name=f"{slug}-model",
        risk_tier="low",
        owner=lead,
        created_by=lead,
        purpose=f"{name} scoring",
    )
    version = registry.version_create(
        model=model,
        created_by=lead,
        artifact_sha256="c" * 64,
        code_commit="0123456789abcdef0123456789abcdef01234567",
        run_ref=f"runs:/{slug}",
    )
    repo = LinkedRepoFactory(
        team=team,
        created_by=lead,
        name=f"{slug}/pipelines",
        clone_url=f"https://{GIT_HOST}/{slug}/pipelines.git",
    )
    scan = scanned(repo, {"ci_pipeline": (True, "wired")})
    ids = {
        "team_id": [team.pk],
        "assessment_id": [assessment.pk],
        "evidence_id": list(assessment.evidence.values_list("pk", flat=True)),
        "model_id": [model.pk],
        "version_id": [version.pk],
        "repo_id": [repo.pk],
        "scan_id": [scan.pk],
        "membership_id": list(
            Membership.objects.filter(user=lead).values_list("pk", flat=True)
        ),
    }
    return org, team, lead, ids


@pytest.fixture
def world(settings) -> World:
    # Scans of generated repositories go nowhere: a reserved host that never resolves.
    settings.REPOS_ALLOWED_HOSTS = [GIT_HOST]
    org, team, _, home_ids = _org_with_data("Acme", "acme")
    _, _, other_lead, other_ids = _org_with_data(
        f"{OTHER_MARKER.title()} Holdings", f"{OTHER_MARKER}-holdings"
    )
    other_token, _ = api_token_create(user=other_lead, name=f"{OTHER_MARKER} token")
    other_ids["token_id"] = [other_token.pk]
    admin = UserFactory(organization=org, username="acme-admin")
    MembershipFactory(user=admin, role=Role.ORG_ADMIN)
    member = UserFactory(organization=org, username="acme-member")
    MembershipFactory(user=member, role=Role.TEAM_MEMBER, team=team)
    ids = {key: home_ids.get(key, []) + other_ids[key] for key in other_ids}
    return World(admin=admin, member=member, ids=ids, other_ids=other_ids)


def _id_names(path: str) -> set[str]:
    """The pooled path parameters of `path` (the evidence pool is assessments')."""
    names = {"team_id", "assessment_id", "model_id", "version_id", "repo_id"}
    names |= {"scan_id", "membership_id", "token_id"}
    if path.startswith("/api/v1/assessments/"):
        names.add("evidence_id")
    return names


@pytest.fixture
def api_schema(live_server, world):
    """The schema the server publishes, with ids of both organisations to draw from."""
    _, secret = api_token_create(user=world.admin, name="schema reader")
    schema = schemathesis.openapi.from_url(
        live_server.url + "/api/schema/",
        headers={"Authorization": f"Bearer {secret}"},
    )
    schema.config.update(base_url=live_server.url)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Each integer id may also be a real row of either organisation."""
        pooled = _id_names(context.operation.path)
        return st.fixed_dictionaries(
            {
                name: st.sampled_from([value, *world.ids[name]])
                if name in pooled and type(value) is int
                else st.just(value)
                for name, value in (path_parameters or {}).items()
            }
        )

    return schema


def _checks(world: World) -> list:
    def no_other_org_data(ctx, response, case):
        """Nothing of the other organisation is shown, nor done to its rows."""
        if OTHER_MARKER.encode() in response.content.lower():
            raise AssertionError(f"The response holds {OTHER_MARKER!r} data")
        pooled = _id_names(case.operation.path)
        for name, value in (case.path_parameters or {}).items():
            if name in pooled and value in world.other_ids[name]:
                assert response.status_code >= 400, (
                    f"{name}={value} is the other organisation's, yet "
                    f"{response.status_code}"
                )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        no_other_org_data,
    ]


BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _operations(schema) -> list:
    """Every operation, the revocations last (they may take the caller's access)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.path in REVOCATIONS)


def _violations(operation, headers: dict[str, str], checks: list) -> str | None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @BOUNDED
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # reported, not raised
        return f"{operation.label}: {exc}"
    return None


@pytest.mark.parametrize("role", ["admin", "member"])
def test_api_keeps_its_contract(api_schema, world, role):
    _, secret = api_token_create(user=getattr(world, role), name="schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    operations, checks = _operations(api_schema), _checks(world)

    violations = [_violations(op, headers, checks) for op in operations]
    violations = [v for v in violations if v]

    assert len(operations) > 90
    assert not violations, "\n\n".join(violations)
