"""Links from a signal's evidence to the file at the scanned commit, for repositories
hosted on GitHub or GitLab. Evidence items are "path" or "path:line"."""

from __future__ import annotations

from urllib.parse import quote

from apps.repos.models import LinkedRepo, Provider


def web_base(repo: LinkedRepo) -> str | None:
    """https://host/project for a GitHub or GitLab repository with a known project."""
    if repo.provider == Provider.GIT or not repo.project or not repo.clone_url:
        return None
    url = repo.clone_url
    if "://" in url:
        host = url.split("://", 1)[1].split("/", 1)[0].rpartition("@")[2]
        host = host.split(":", 1)[0]  # an ssh:// port is not the web's
    else:  # scp-like: git@host:owner/name.git
        host = url.split(":", 1)[0].rpartition("@")[2]
    return f"https://{host}/{repo.project}"


def evidence_url(repo: LinkedRepo, commit: str, item: str) -> str | None:
    """The file (and line) at the commit on the provider's site; None when unknown."""
    base = web_base(repo)
    if base is None or not commit or item.startswith(("http://", "https://")):
        return item if item.startswith("https://") else None
    path, _, line = item.partition(":")
    blob = "blob" if repo.provider == Provider.GITHUB else "-/blob"
    anchor = f"#L{line}" if line.isdigit() else ""
    return f"{base}/{blob}/{commit}/{quote(path)}{anchor}"
