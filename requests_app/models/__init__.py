"""Requests (Annexe 1), their decisions and usage reports: one module per aggregate."""

from requests_app.models.annexe import AXES, AXIS_SHORT_LABELS, LEVEL_KEYS, LEVEL_LABELS, LEVELS, sum_of_levels
from requests_app.models.decision import Decision, DecisionQuerySet
from requests_app.models.request import Extension, Request, RequestEvent, RequestQuerySet, Submission, fold_work
from requests_app.models.usage_report import (
    CHOICE_GROUPS,
    PROMOTION,
    SURVEYS,
    TOOLS,
    UsageReport,
    UsageReportQuerySet,
)

__all__ = [
    "AXES",
    "AXIS_SHORT_LABELS",
    "CHOICE_GROUPS",
    "LEVELS",
    "LEVEL_KEYS",
    "LEVEL_LABELS",
    "PROMOTION",
    "SURVEYS",
    "TOOLS",
    "Decision",
    "DecisionQuerySet",
    "Extension",
    "Request",
    "RequestEvent",
    "RequestQuerySet",
    "Submission",
    "UsageReport",
    "UsageReportQuerySet",
    "fold_work",
    "sum_of_levels",
]
