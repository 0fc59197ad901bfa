"""CI configs: is there CI, does it run tests, is anything scheduled, does a scheduled
job train a model. GitHub Actions, GitLab CI, Jenkins, CircleCI, Azure Pipelines
(plus Travis and Bitbucket, for ci_config and tests only).

A config counts as CI when it parses and defines at least one job. Commands are
read from the places each system runs them (`run:` steps, `script:` lists, `sh`
steps), never from names or comments. "Scheduled" means the config itself asks for a
timer: a cron trigger, or a job limited to scheduled pipelines (GitLab's schedules
live in the UI; `$CI_PIPELINE_SOURCE == "schedule"` in a job's rules is the intent
the repository can show).
"""

from __future__ import annotations

import re
from typing import Any

from .commands import invokes_training, runs_tests, script_refs
from .signals import DECLARED, SCHEDULED_RUNS, TRAINS, WIRED, Hit
from .yamlload import as_list, strings_under, trigger_key

_GH_KEYS = frozenset({"run", "command", "commands"})
_GITLAB_KEYS = frozenset({"script", "before_script", "after_script"})
_CIRCLE_KEYS = frozenset({"run", "command"})
_AZURE_KEYS = frozenset({"script", "bash", "pwsh", "powershell", "inlineScript"})
_GITLAB_RESERVED = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services",
     "before_script", "after_script", "cache", "types"}
)  # fmt: skip
_GITLAB_SCHEDULE = re.compile(r"\$\{?CI_PIPELINE_SOURCE\}?\s*==\s*[\"']schedule[\"']")
_JENKINS_STEPS = re.compile(
    r"\b(?:sh|bat|powershell)\b\s*\(?\s*(?:script\s*:\s*)?(['\"]{1,3})(.*?)\1", re.S
)
_GROOVY_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)


def _document(docs: list[Any] | None) -> dict | None:
    return docs[0] if docs and isinstance(docs[0], dict) else None


def _job_hits(
    path: str, text: str, *, scheduled: bool, extra_refs: tuple[str, ...] = ()
) -> list[Hit]:
    """Hits for one job's commands; `scheduled`: the job runs on a timer."""
    hits = []
    if runs_tests(text):
        hits.append(Hit("ci_runs_tests", WIRED, path))
    trains = invokes_training(text)
    if trains:
        hits.append(Hit(TRAINS, WIRED, path))
    if scheduled and trains:
        hits.append(Hit("continuous_training", WIRED, path))
    elif scheduled and (refs := (*script_refs(text), *extra_refs)):
        hits.append(Hit(SCHEDULED_RUNS, WIRED, path, refs=refs))
    return hits


def detect_github(path: str, docs: list[Any] | None) -> list[Hit]:
    doc = _document(docs)
    jobs = doc.get("jobs") if doc else None
    if not isinstance(jobs, dict) or not jobs:
        return []
    hits = [Hit("ci_config", DECLARED, path)]
    triggers = trigger_key(doc)
    scheduled = isinstance(triggers, dict) and _has_cron(triggers.get("schedule"))
    if scheduled:
        hits.append(Hit("scheduled_workflow", DECLARED, path))
    for job in jobs.values():
        if not isinstance(job, dict):
            continue
        steps = job.get("steps")
        text = "\n".join(strings_under(steps, _GH_KEYS))
        on_timer = scheduled and _github_job_runs_on_schedule(job)
        called = _local_uses([job, *(steps if isinstance(steps, list) else [])])
        hits += _job_hits(path, text, scheduled=on_timer, extra_refs=called)
    return hits


def _local_uses(items: list[Any]) -> tuple[str, ...]:
    """Local reusable workflows and actions a job calls (`uses: ./...`)."""
    return tuple(
        item["uses"].removeprefix("./")
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("uses"), str)
        and item["uses"].startswith("./")
    )


def detect_github_action(path: str, docs: list[Any] | None) -> list[Hit]:
    """A local composite action: its steps are CI steps of the workflows using it."""
    doc = _document(docs)
    runs = doc.get("runs") if doc else None
    if not isinstance(runs, dict) or not isinstance(runs.get("steps"), list):
        return []
    text = "\n".join(strings_under(runs["steps"], _GH_KEYS))
    return _job_hits(path, text, scheduled=False)


def _has_cron(schedule: Any) -> bool:
    entries = schedule if isinstance(schedule, list) else [schedule]
    return any(isinstance(e, dict) and isinstance(e.get("cron"), str) for e in entries)


def _github_job_runs_on_schedule(job: dict) -> bool:
    """False for a job whose `if:` keeps it to other events."""
    condition = job.get("if")
    if not isinstance(condition, str) or "event_name" not in condition:
        return True
    return bool(re.search(r"event_name\s*==\s*['\"]schedule['\"]", condition))


def detect_gitlab(path: str, docs: list[Any] | None) -> list[Hit]:
    doc = _document(docs)
    if not doc:
        return []
    jobs = {
        name: job
        for name, job in doc.items()
        if isinstance(name, str)
        and name not in _GITLAB_RESERVED
        and isinstance(job, dict)
        and any(key in job for key in ("script", "extends", "trigger", "run"))
    }
    if not any(not name.startswith(".") for name in jobs) and "include" not in doc:
        return []
    hits = [Hit("ci_config", DECLARED, path)]
    pipeline_scheduled = _gitlab_scheduled(doc.get("workflow"))
    if pipeline_scheduled or any(_gitlab_scheduled(job) for job in jobs.values()):
        hits.append(Hit("scheduled_workflow", DECLARED, path))
    for name, job in jobs.items():
        if name.startswith("."):
            continue  # a template: its scripts count through the jobs extending it
        text = "\n".join(strings_under(_gitlab_expand(job, jobs), _GITLAB_KEYS))
        on_timer = _gitlab_scheduled(job) or (
            pipeline_scheduled and not _gitlab_excludes_schedules(job)
        )
        hits += _job_hits(path, text, scheduled=on_timer)
    return hits


def _gitlab_expand(job: dict, jobs: dict[str, Any]) -> list[dict]:
    """The job and the templates it extends (transitively, each once)."""
    found, queue, seen = [job], [job], set()
    while queue:
        parents = queue.pop().get("extends")
        for parent in [parents] if isinstance(parents, str) else as_list(parents):
            if isinstance(parent, str) and parent not in seen and parent in jobs:
                seen.add(parent)
                found.append(jobs[parent])
                queue.append(jobs[parent])
    return found


def _gitlab_scheduled(job: Any) -> bool:
    if not isinstance(job, dict):
        return False
    for rule in as_list(job.get("rules")):
        if (
            isinstance(rule, dict)
            and isinstance(rule.get("if"), str)
            and _GITLAB_SCHEDULE.search(rule["if"])
            and rule.get("when") != "never"
        ):
            return True
    only = job.get("only")
    refs = only.get("refs") if isinstance(only, dict) else only
    return "schedules" in (refs if isinstance(refs, list) else [refs])


def _gitlab_excludes_schedules(job: dict) -> bool:
    exclude = job.get("except")
    refs = exclude.get("refs") if isinstance(exclude, dict) else exclude
    if "schedules" in (refs if isinstance(refs, list) else [refs]):
        return True
    return any(
        isinstance(rule, dict)
        and isinstance(rule.get("if"), str)
        and _GITLAB_SCHEDULE.search(rule["if"])
        and rule.get("when") == "never"
        for rule in as_list(job.get("rules"))
    )


def detect_jenkins(path: str, text: str) -> list[Hit]:
    code = _GROOVY_COMMENTS.sub("", text)
    if not re.search(r"\bpipeline\s*\{|\bnode\s*[({]|\bstage\s*\(", code):
        return []
    hits = [Hit("ci_config", DECLARED, path)]
    scheduled = bool(re.search(r"\b(?:parameterizedCron|cron)\s*[('\"]", code))
    if scheduled:
        hits.append(Hit("scheduled_workflow", DECLARED, path))
    steps = _JENKINS_STEPS.findall(code)
    return hits + _job_hits(path, "\n".join(s for _, s in steps), scheduled=scheduled)


def detect_circleci(path: str, docs: list[Any] | None) -> list[Hit]:
    doc = _document(docs)
    jobs = doc.get("jobs") if doc else None
    workflows = doc.get("workflows") if doc else None
    if not isinstance(jobs, dict) or not jobs:
        return []
    hits = [Hit("ci_config", DECLARED, path)]
    scheduled_jobs: set[str] = set()
    for workflow in workflows.values() if isinstance(workflows, dict) else []:
        if isinstance(workflow, dict) and _circle_scheduled(workflow):
            scheduled_jobs |= _circle_job_names(workflow.get("jobs"))
    if scheduled_jobs:
        hits.append(Hit("scheduled_workflow", DECLARED, path))
    for name, job in jobs.items():
        text = "\n".join(strings_under(job, _CIRCLE_KEYS))
        hits += _job_hits(path, text, scheduled=name in scheduled_jobs)
    return hits


def _circle_scheduled(workflow: dict) -> bool:
    for trigger in as_list(workflow.get("triggers")):
        if isinstance(trigger, dict) and isinstance(trigger.get("schedule"), dict):
            return True
    when = workflow.get("when")
    return (
        isinstance(when, dict)
        and "not" not in when
        and "scheduled_pipeline" in str(when)
    )


def _circle_job_names(jobs: Any) -> set[str]:
    names = set()
    for item in jobs if isinstance(jobs, list) else []:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict):
            names |= {key for key in item if isinstance(key, str)}
    return names


def detect_azure(path: str, docs: list[Any] | None) -> list[Hit]:
    doc = _document(docs)
    if not doc or not any(doc.get(key) for key in ("steps", "jobs", "stages")):
        return []
    hits = [Hit("ci_config", DECLARED, path)]
    schedules = doc.get("schedules")
    scheduled = isinstance(schedules, list) and _has_cron(schedules)
    if scheduled:
        hits.append(Hit("scheduled_workflow", DECLARED, path))
    text = "\n".join(strings_under(doc, _AZURE_KEYS))
    return hits + _job_hits(path, text, scheduled=scheduled)


def detect_other(path: str, docs: list[Any] | None) -> list[Hit]:
    """Travis CI and Bitbucket Pipelines: CI and tests (their schedules are in the UI)."""
    doc = _document(docs)
    if not doc or not any(k in doc for k in ("script", "jobs", "matrix", "pipelines")):
        return []
    text = "\n".join(strings_under(doc, frozenset({"script", "before_script"})))
    return [Hit("ci_config", DECLARED, path), *_job_hits(path, text, scheduled=False)]
