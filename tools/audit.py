"""``make audit``: known vulnerabilities in the Python and npm dependencies.

pip-audit checks the packages installed in the virtualenv (what the tests ran and
what production installs from the same pins); ``npm audit`` checks
package-lock.json. A finding is accepted only by an entry in audit-exceptions.toml
with a reason and an expiry date; an entry past its date fails the run before
anything is audited, so an exception is looked at again rather than forgotten.

    python -m tools.audit                      # the whole audit (needs the registries)
    python -m tools.audit --exceptions-only    # only check the file (no network)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = PROJECT_ROOT / "audit-exceptions.toml"
ECOSYSTEMS = ("python", "npm")
FIELDS = ("id", "ecosystem", "package", "reason", "expires")
_ADVISORY = re.compile(r"(GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})")


@dataclass(frozen=True)
class Accepted:
    id: str
    ecosystem: str
    package: str
    reason: str
    expires: date


def read_exceptions(text: str, today: date) -> tuple[list[Accepted], list[str]]:
    """The exceptions still in force, and what is wrong with the others."""
    accepted, problems = [], []
    for number, entry in enumerate(tomllib.loads(text).get("exception", []), start=1):
        where = f"exception {number} ({entry.get('id', 'no id')})"
        missing = [name for name in FIELDS if not str(entry.get(name, "")).strip()]
        if missing:
            problems.append(f"{where}: needs {', '.join(missing)}")
            continue
        expires = entry["expires"]
        if not isinstance(expires, date):
            problems.append(f"{where}: expires must be a date (2027-01-31), unquoted")
            continue
        if entry["ecosystem"] not in ECOSYSTEMS:
            problems.append(f"{where}: ecosystem must be one of {', '.join(ECOSYSTEMS)}")
            continue
        if expires < today:
            problems.append(f"{where}: expired on {expires.isoformat()}: renew or remove it")
            continue
        accepted.append(
            Accepted(
                entry["id"], entry["ecosystem"], entry["package"], entry["reason"].strip(), expires
            )
        )
    return accepted, problems


def pip_audit_command(accepted: Iterable[Accepted]) -> list[str]:
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
    command += ["--format", "json", "--desc", "off", "--aliases", "on"]
    for exception in accepted:
        if exception.ecosystem == "python":
            command += ["--ignore-vuln", exception.id]
    return command


def python_findings(report: dict) -> tuple[list[str], list[str]]:
    """From ``pip-audit --format json``: the vulnerabilities it reports (accepted ones
    were left out by ``--ignore-vuln``), and the packages it could not check. A
    package not checked is not a package without findings: the run fails on both."""
    found, unchecked = [], []
    for package in report.get("dependencies", []):
        label = f"{package['name']} {package.get('version', '')}".strip()
        if package.get("skip_reason"):
            unchecked.append(f"{label}: {package['skip_reason']}")
        for vulnerability in package.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            found.append(f"{label}: {vulnerability['id']} (fixed in {fixed})")
    return found, unchecked


def npm_findings(report: dict, accepted: Iterable[Accepted]) -> list[str]:
    """The advisories in an ``npm audit --json`` report that no exception accepts,
    as "package: advisory (severity) title"."""
    if "error" in report:
        error = report["error"] if isinstance(report["error"], dict) else {}
        reason = error.get("summary") or report.get("message") or "no reason given"
        raise RuntimeError(reason)
    allowed = {e.id for e in accepted if e.ecosystem == "npm"}
    found = set()
    for name, vulnerability in report.get("vulnerabilities", {}).items():
        for via in vulnerability.get("via", []):
            if not isinstance(via, dict):  # a name: the advisory is listed under it
                continue
            match = _ADVISORY.search(str(via.get("url", "")))
            advisory = match.group(1) if match else str(via.get("source", "unknown"))
            if advisory not in allowed:
                severity, title = via.get("severity", "?"), via.get("title", "")
                found.add(f"{via.get('name', name)}: {advisory} ({severity}) {title}")
    return sorted(found)


def _audit_python(accepted: list[Accepted]) -> bool:
    print("pip-audit: the packages installed in this virtualenv", flush=True)
    done = subprocess.run(
        pip_audit_command(accepted), cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    try:
        found, unchecked = python_findings(json.loads(done.stdout))
    except ValueError:
        print(done.stderr.strip() or "pip-audit gave no report", file=sys.stderr)
        return False
    return _said("pip-audit", found, unchecked)


def _audit_npm(accepted: list[Accepted]) -> bool:
    print("npm audit: package-lock.json", flush=True)
    done = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        found = npm_findings(json.loads(done.stdout or "{}"), accepted)
    except (ValueError, RuntimeError) as error:
        return _said("npm audit", [], [f"the audit could not run: {error}"])
    return _said("npm audit", found, [])


def _said(tool: str, found: list[str], unchecked: list[str]) -> bool:
    for line in found:
        print(f"  vulnerable: {line}")
    for line in unchecked:
        print(f"  not checked: {line}")
    print(f"{tool}: {len(found)} unaccepted findings, {len(unchecked)} not checked")
    return not found and not unchecked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=EXCEPTIONS)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--exceptions-only", action="store_true")
    options = parser.parse_args(argv)
    accepted, problems = read_exceptions(options.file.read_text(), options.today)
    for problem in problems:
        print(f"{options.file.name}: {problem}", file=sys.stderr)
    for exception in accepted:
        print(f"accepted until {exception.expires}: {exception.package} {exception.id}")
    if problems:
        return 1
    if options.exceptions_only:
        return 0
    python_clean = _audit_python(accepted)
    npm_clean = _audit_npm(accepted)
    return 0 if python_clean and npm_clean else 1


if __name__ == "__main__":
    sys.exit(main())
