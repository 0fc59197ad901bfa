"""Rubric content comes only from files (rubric_import), so the admin only shows it;
organisation settings are edited here through the services, so each change is audited."""

from django import forms
from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.core.exceptions import ApplicationError
from apps.rubrics import services
from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Level,
    Option,
    Question,
    Rubric,
    TeamTarget,
)


class RubricContentAdmin(ReadOnlyModelAdmin):
    """Read-only: a published version never changes, and a draft changes by re-import
    (an edit here would leave its content fingerprint stale)."""


@admin.register(Rubric)
class RubricAdmin(RubricContentAdmin):
    list_display = ["slug", "version", "title", "status", "published_at", "created_at"]
    list_filter = ["status", "slug"]
    list_select_related = []  # no foreign keys
    search_fields = ["slug", "version", "title"]


@admin.register(Level)
class LevelAdmin(RubricContentAdmin):
    list_display = ["level", "name", "rubric"]
    list_select_related = ["rubric"]
    search_fields = ["name", "rubric__slug"]


@admin.register(Dimension)
class DimensionAdmin(RubricContentAdmin):
    list_display = ["key", "name", "rubric", "core", "weight", "position"]
    list_filter = ["rubric"]
    list_select_related = ["rubric"]
    search_fields = ["key", "name", "rubric__slug"]


@admin.register(Question)
class QuestionAdmin(RubricContentAdmin):
    list_display = ["key", "type", "shared", "dimension", "rubric"]
    list_filter = ["type", "shared", "rubric"]
    list_select_related = ["dimension", "rubric"]
    search_fields = ["key", "text", "rubric__slug"]


@admin.register(Option)
class OptionAdmin(RubricContentAdmin):
    list_display = ["value", "label", "level", "evidence_required", "question"]
    list_select_related = ["question"]
    search_fields = ["value", "label", "question__key"]


@admin.register(Criterion)
class CriterionAdmin(RubricContentAdmin):
    list_display = ["key", "level", "evidence", "effort", "dimension", "rubric"]
    list_filter = ["level", "effort", "rubric"]
    list_select_related = ["dimension", "rubric"]
    search_fields = ["key", "statement", "rubric__slug"]


class ServiceForm(forms.ModelForm):
    """Runs the service's checks when the form is validated, so a refusal shows as a
    form error instead of a server error on save."""

    def clean(self):
        cleaned = super().clean()
        try:
            self.check_with_service(cleaned)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return cleaned

    def check_with_service(self, cleaned: dict) -> None:
        # On a change form the scope is read-only, so it comes from the row.
        rubric_slug = cleaned.get("rubric_slug", self.instance.rubric_slug)
        dimension_key = cleaned.get("dimension_key", self.instance.dimension_key)
        if rubric_slug and dimension_key:
            services.published_dimension(
                rubric_slug=rubric_slug, dimension_key=dimension_key
            )


class SettingAdmin(admin.ModelAdmin):
    """Saves and deletes go through a set and a clear service (each audited)."""

    scope_field = ""

    def get_readonly_fields(self, request, obj=None):
        # A row's scope never moves: another dimension is another setting.
        return [self.scope_field, "rubric_slug", "dimension_key"] if obj else []

    def _key(self, obj) -> dict:
        return {
            self.scope_field: getattr(obj, self.scope_field),
            "rubric_slug": obj.rubric_slug,
            "dimension_key": obj.dimension_key,
        }

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(DimensionSetting)
class DimensionSettingAdmin(SettingAdmin):
    list_display = [
        "organization",
        "rubric_slug",
        "dimension_key",
        "weight",
        "core",
        "updated_at",
    ]
    list_filter = ["rubric_slug"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "rubric_slug", "dimension_key"]
    form = ServiceForm
    scope_field = "organization"

    def save_model(self, request, obj, form, change):
        setting = services.dimension_setting_set(
            **self._key(obj), weight=obj.weight, core=obj.core, actor=request.user
        )
        obj.pk = setting.pk

    def delete_model(self, request, obj):
        services.dimension_setting_clear(**self._key(obj), actor=request.user)


@admin.register(TeamTarget)
class TeamTargetAdmin(SettingAdmin):
    list_display = ["team", "rubric_slug", "dimension_key", "level", "updated_at"]
    list_filter = ["rubric_slug", "level"]
    list_select_related = ["team"]
    search_fields = ["team__name", "rubric_slug", "dimension_key"]
    form = ServiceForm
    scope_field = "team"

    def save_model(self, request, obj, form, change):
        target = services.team_target_set(
            **self._key(obj), level=obj.level, actor=request.user
        )
        obj.pk = target.pk

    def delete_model(self, request, obj):
        services.team_target_clear(**self._key(obj), actor=request.user)
