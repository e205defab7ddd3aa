"""The insights filter (date range and department), shared by the page, the summary API and the CSV export."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insights.selectors.scope import Scope
from marketplace.models import Department
from marketplace.validators import day_in_range

DEFAULT_WEEKS = 12
MAX_RANGE_DAYS = 731  # two years


def default_range(today: date) -> tuple[date, date]:
    """The last 12 weeks: from the Monday eleven weeks before this week's Monday, to today."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=DEFAULT_WEEKS - 1), today


class InsightsFilterForm(forms.Form):
    start = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        validators=[day_in_range],
    )
    end = forms.DateField(
        required=False,
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        validators=[day_in_range],
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("All departments"),
        error_messages={
            "invalid_choice": _("No such department."),
            "invalid_pk_value": _("No such department."),
        },
    )

    def __init__(self, data=None, *, today: date | None = None, **kwargs) -> None:
        self.today = today or timezone.now().date()
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        if end is None:
            end = max(start, self.today) if start else self.today
        if start is None:
            start = default_range(end)[0]
        if end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            self.add_error("end", _("Choose a range of at most two years."))
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        department = data.get("department")
        department_id = department.pk if department else None
        return Scope(start=data["start"], end=data["end"], department_id=department_id)
