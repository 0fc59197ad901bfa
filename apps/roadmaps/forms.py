"""Roadmap page forms. They shape input; item_update decides whether it is allowed
(a reason to dismiss, a due quarter's form, an owner on the team)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from apps.accounts.models import User
from apps.roadmaps.models import RoadmapItem


def person(user: User) -> str:
    return user.get_full_name() or user.get_username()


class ItemForm(forms.Form):
    status = forms.ChoiceField(choices=RoadmapItem.Status.choices)
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    due_quarter = forms.CharField(
        label="Due quarter", required=False, max_length=20, help_text="e.g. 2027-Q1"
    )
    dismissed_reason = forms.CharField(
        label="Reason to dismiss",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to dismiss the item.",
    )

    def __init__(self, data=None, *, item: RoadmapItem, members: Sequence[User]):
        initial = {
            "status": item.status,
            "owner": item.owner_id,
            "due_quarter": item.due_quarter,
            "dismissed_reason": item.dismissed_reason,
        }
        # One form per item on the page: ids must not collide.
        super().__init__(data, initial=initial, auto_id=f"item{item.pk}_%s")
        self.item = item
        self.people = {user.pk: user for user in members}
        choices = [("", "Nobody"), *((u.pk, person(u)) for u in members)]
        if item.owner_id and item.owner_id not in self.people:
            # Left the team since: kept until someone picks another owner.
            self.people[item.owner_id] = item.owner
            choices.append((item.owner_id, f"{person(item.owner)} (not on the team)"))
        self.fields["owner"].choices = choices

    def changes(self) -> dict[str, Any]:
        """What differs from the item, as item_update's keyword arguments."""
        data, item = self.cleaned_data, self.item
        changes: dict[str, Any] = {}
        if data["status"] != item.status:
            changes["status"] = data["status"]
        if data["owner"] != item.owner_id:
            changes["owner"] = self.people.get(data["owner"])
        if data["due_quarter"].strip().upper() != item.due_quarter:
            changes["due_quarter"] = data["due_quarter"]
        if data["dismissed_reason"].strip() != item.dismissed_reason:
            changes["dismissed_reason"] = data["dismissed_reason"]
        return changes
