"""Writes about organisations, people, roles and tokens. Each one is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import (
    TEAM_ROLES,
    ApiToken,
    BusinessUnit,
    Membership,
    Organization,
    Role,
    Team,
    User,
)
from apps.accounts.tokens import display_prefix, new_token_secret, token_digest
from apps.audit.services import record_event
from apps.core.exceptions import ApplicationError
from apps.core.middleware import client_fingerprint


@transaction.atomic
def organization_create(
    *, name: str, slug: str, actor: User | None = None
) -> Organization:
    """Create an organisation; its audit chain opens with this event."""
    if Organization.objects.filter(slug=slug).exists():
        raise ApplicationError(
            "That slug is taken.", fields={"slug": ["Already in use."]}
        )
    organization = Organization.objects.create(name=name, slug=slug)
    record_event(
        organization=organization,
        actor=actor,
        action="organization.created",
        target=organization,
        data={"name": name, "slug": slug},
    )
    return organization


@transaction.atomic
def business_unit_create(
    *, organization: Organization, name: str, slug: str, actor: User | None = None
) -> BusinessUnit:
    """Add a business unit; its slug is unique within the organisation."""
    if organization.business_units.filter(slug=slug).exists():
        raise ApplicationError(
            "That slug is taken.", fields={"slug": ["Already in use."]}
        )
    unit = BusinessUnit.objects.create(organization=organization, name=name, slug=slug)
    record_event(
        organization=organization,
        actor=actor,
        action="business_unit.created",
        target=unit,
        data={"name": name, "slug": slug},
    )
    return unit


@transaction.atomic
def team_create(
    *,
    business_unit: BusinessUnit,
    name: str,
    slug: str,
    description: str = "",
    actor: User | None = None,
) -> Team:
    """Add a team to a business unit; its slug is unique within the organisation."""
    organization = business_unit.organization
    if organization.teams.filter(slug=slug).exists():
        raise ApplicationError(
            "That slug is taken.", fields={"slug": ["Already in use."]}
        )
    team = Team.objects.create(
        organization=organization,
        business_unit=business_unit,
        name=name,
        slug=slug,
        description=description,
    )
    record_event(
        organization=organization,
        actor=actor,
        action="team.created",
        target=team,
        data={"name": name, "slug": slug, "business_unit": business_unit.pk},
    )
    return team


@transaction.atomic
def user_create(
    *,
    organization: Organization,
    username: str,
    email: str,
    password: str | None = None,
    password_hash: str | None = None,
    first_name: str = "",
    last_name: str = "",
    actor: User | None = None,
) -> User:
    """Add a person to the organisation. The password is validated, never recorded.

    `password_hash` instead of `password` takes an already encoded hash (from
    `make_password`), so a batch of accounts sharing one password hashes it once.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            "That username is taken.", fields={"username": ["Already in use."]}
        )
    user = User(
        organization=organization,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    _user_set_password(user, password=password, password_hash=password_hash)
    user.save()
    record_event(
        organization=organization,
        actor=actor,
        action="user.created",
        target=user,
        data={"username": username, "email": email},
    )
    return user


def _user_set_password(
    user: User, *, password: str | None, password_hash: str | None
) -> None:
    if (password is None) == (password_hash is None):
        raise ApplicationError(
            "Give either a password or a password hash.",
            fields={"password": ["Required."]},
        )
    if password_hash is not None:
        try:
            identify_hasher(password_hash)
        except ValueError as exc:
            raise ApplicationError(
                "Not an encoded password hash.",
                fields={"password": ["Unknown hash format."]},
            ) from exc
        user.password = password_hash
        return
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", fields={"password": list(exc.messages)}
        ) from exc
    user.set_password(password)


def check_membership_scope(*, user: User, role: str, team: Team | None) -> None:
    """Refuse a role whose scope does not fit: team roles in a team of the user's org."""
    if user.organization_id is None:
        raise ApplicationError(
            "The user belongs to no organisation.",
            fields={"user": ["No organisation."]},
        )
    if role in TEAM_ROLES and team is None:
        raise ApplicationError(
            "This role is held in a team.", fields={"team": ["Required for this role."]}
        )
    if role not in TEAM_ROLES and team is not None:
        raise ApplicationError(
            "This role is held organisation-wide.",
            fields={"team": ["Must be empty for this role."]},
        )
    if team is not None and team.organization_id != user.organization_id:
        raise ApplicationError(
            "The team is in another organisation.", fields={"team": ["Unknown team."]}
        )


@transaction.atomic
def membership_grant(
    *, user: User, role: str, team: Team | None = None, granted_by: User | None = None
) -> Membership:
    """Give a user a role, org-wide or in one team."""
    if role not in Role.values:
        raise ApplicationError(
            "Unknown role.", fields={"role": [f"Unknown role {role!r}."]}
        )
    check_membership_scope(user=user, role=role, team=team)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                organization_id=user.organization_id,
                team=team,
                role=role,
                granted_by=granted_by,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "The user already holds this role.", fields={"role": ["Already held."]}
        ) from exc
    record_event(
        organization=membership.organization,
        actor=granted_by,
        action="membership.granted",
        target=membership,
        data={"user": user.pk, "role": role, "team": team.pk if team else None},
    )
    return membership


@transaction.atomic
def membership_revoke(
    *, membership: Membership, revoked_by: User | None = None
) -> None:
    """Take a role away. The row goes; the audit event keeps what it was."""
    data = {
        "user": membership.user_id,
        "role": membership.role,
        "team": membership.team_id,
    }
    record_event(
        organization=membership.organization,
        actor=revoked_by,
        action="membership.revoked",
        target=membership,
        data=data,
    )
    membership.delete()


def _token_expiry(expires_at: datetime | None) -> datetime:
    """The requested expiry, checked against API_TOKEN_MAX_AGE_DAYS (the default)."""
    now = timezone.now()
    max_days = settings.API_TOKEN_MAX_AGE_DAYS
    latest = now + timedelta(days=max_days)
    if expires_at is None:
        return latest
    if expires_at <= now:
        raise ApplicationError(
            "The expiry must be in the future.",
            fields={"expires_at": ["Must be in the future."]},
        )
    if expires_at > latest:
        raise ApplicationError(
            "The expiry is too far away.",
            fields={"expires_at": [f"At most {max_days} days from now."]},
        )
    return expires_at


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Mint a token; return it with its secret, which is never stored nor shown again.

    Every token expires: without `expires_at`, after API_TOKEN_MAX_AGE_DAYS.
    """
    expires_at = _token_expiry(expires_at)
    secret = new_token_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=display_prefix(secret),
        digest=token_digest(secret),
        expires_at=expires_at,
    )
    record_event(
        organization=user.organization,
        actor=user,
        action="api_token.created",
        target=token,
        data={"name": name, "prefix": token.prefix, "expires_at": expires_at},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    """Revoke a token once; a second revoke is refused (the row is locked first)."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ApplicationError("The token is already revoked.", code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    record_event(
        organization=locked.user.organization,
        actor=revoked_by,
        action="api_token.revoked",
        target=locked,
        data={"name": locked.name, "prefix": locked.prefix},
    )
    return locked


@transaction.atomic
def login_record_success(*, user: User) -> None:
    """Record a successful sign-in in the user's organisation chain."""
    record_event(
        organization=user.organization,
        actor=user,
        action="auth.login_succeeded",
        target=user,
    )


@transaction.atomic
def login_record_failure(*, username: str) -> None:
    """Record a failed login in the account's chain, or the platform's if none matches.

    The attempted name is stored only as a keyed fingerprint: people sometimes type a
    password into the username field.
    """
    user = (
        User.objects.filter(username__iexact=username)
        .select_related("organization")
        .first()
    )
    record_event(
        organization=user.organization if user else None,
        actor=None,
        actor_type="anonymous",
        action="auth.login_failed",
        target=user,
        data={} if user else {"username_fingerprint": client_fingerprint(username)},
    )


@transaction.atomic
def logout_record(*, user: User) -> None:
    """Record a sign-out in the user's organisation chain."""
    record_event(
        organization=user.organization,
        actor=user,
        action="auth.logged_out",
        target=user,
    )
