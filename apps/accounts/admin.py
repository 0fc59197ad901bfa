from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction

from apps.accounts import services
from apps.accounts.models import (
    ApiToken,
    BusinessUnit,
    Membership,
    Organization,
    Team,
    User,
)
from apps.core.admin import AuditedModelAdmin
from apps.core.exceptions import ApplicationError


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "team"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") and cleaned.get("role"):
            try:
                services.check_membership_scope(
                    user=cleaned["user"], role=cleaned["role"], team=cleaned.get("team")
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    audit_subject = "organization"

    def organization_of(self, obj):
        return obj


@admin.register(BusinessUnit)
class BusinessUnitAdmin(AuditedModelAdmin):
    audit_subject = "business_unit"
    list_display = ["name", "slug", "organization"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "slug"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    audit_subject = "team"
    list_display = ["name", "slug", "business_unit", "organization"]
    list_filter = ["organization", "business_unit"]
    list_select_related = ["organization", "business_unit"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    audit_subject = "user"
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organization",
        "is_active",
    ]
    list_filter = ["organization", "is_active", "is_staff"]
    list_select_related = ["organization"]
    fieldsets = [*DjangoUserAdmin.fieldsets, ("Tollgate", {"fields": ["organization"]})]

    def user_change_password(self, request, id, form_url=""):
        # Django's view is not atomic; the change and its audit event commit together.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Grants and revocations go through the services, so each one is audited."""

    list_display = ["user", "role", "team", "organization", "granted_by", "created_at"]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "team", "organization", "granted_by"]
    search_fields = ["user__username", "team__name"]
    form = MembershipAdminForm

    def has_change_permission(self, request, obj=None):
        return False  # a change is a revoke plus a grant, each audited

    def save_model(self, request, obj, form, change):
        granted = services.membership_grant(
            user=obj.user, role=obj.role, team=obj.team, granted_by=request.user
        )
        obj.pk = granted.pk

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj, revoked_by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(membership=membership, revoked_by=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # the secret must be shown to its owner, so owners create tokens

    def has_change_permission(self, request, obj=None):
        return False  # nothing to edit: a token is revoked, by the audited action

    def has_delete_permission(self, request, obj=None):
        return False  # kept, revoked, for the audit trail's references

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, revoked_by=request.user)
