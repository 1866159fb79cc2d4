"""``make audit``'s rules for accepting a known vulnerability (tools/audit.py), without
the network: an exception needs a reason and a date, an expired one fails the run,
and a finding nobody accepted (or a package nobody could check) fails it too."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tools.audit import EXCEPTIONS, main, npm_findings, pip_audit_command, python_findings

TODAY = date(2027, 3, 1)
ENTRY = """
[[exception]]
id = "GHSA-4xq2-8wxc-mrv9"
ecosystem = "npm"
package = "sass"
reason = "Build-time only: sass never runs in production or sees a family's input."
expires = {expires}
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audit-exceptions.toml"
    path.write_text(text)
    return path


def test_an_exception_in_date_is_accepted(tmp_path, capsys):
    path = _file(tmp_path, ENTRY.format(expires="2027-03-01"))
    assert main(["--file", str(path), "--today", TODAY.isoformat(), "--exceptions-only"]) == 0
    assert "accepted until 2027-03-01: sass GHSA-4xq2-8wxc-mrv9" in capsys.readouterr().out


def test_an_expired_exception_fails_the_run(tmp_path, capsys):
    path = _file(tmp_path, ENTRY.format(expires="2027-02-28"))
    assert main(["--file", str(path), "--today", TODAY.isoformat(), "--exceptions-only"]) == 1
    assert "expired on 2027-02-28" in capsys.readouterr().err


def test_an_exception_without_a_reason_fails_the_run(tmp_path, capsys):
    text = ENTRY.format(expires="2027-06-01").replace(
        'reason = "Build-time only: sass never runs in production or sees a family\'s input."',
        'reason = "  "',
    )
    path = _file(tmp_path, text)
    assert main(["--file", str(path), "--today", TODAY.isoformat(), "--exceptions-only"]) == 1
    assert "needs reason" in capsys.readouterr().err


def test_an_expiry_written_as_text_is_refused(tmp_path, capsys):
    path = _file(tmp_path, ENTRY.format(expires='"2027-06-01"'))
    assert main(["--file", str(path), "--today", TODAY.isoformat(), "--exceptions-only"]) == 1
    assert "must be a date" in capsys.readouterr().err


def test_the_repository_file_is_valid_today():
    assert main(["--file", str(EXCEPTIONS), "--exceptions-only"]) == 0


def test_accepted_python_findings_are_passed_to_pip_audit_as_ignores(tmp_path):
    from tools.audit import read_exceptions

    text = ENTRY.format(expires="2027-06-01") + ENTRY.format(expires="2027-06-01").replace(
        '"npm"', '"python"'
    ).replace("GHSA-4xq2-8wxc-mrv9", "PYSEC-2027-1")
    accepted, problems = read_exceptions(text, TODAY)
    assert problems == []
    command = pip_audit_command(accepted)
    assert command[command.index("--ignore-vuln") + 1] == "PYSEC-2027-1"
    assert "GHSA-4xq2-8wxc-mrv9" not in command  # an npm exception is npm's


NPM_REPORT = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "sass": {
            "name": "sass",
            "severity": "moderate",
            "via": [
                {
                    "source": 1100001,
                    "name": "sass",
                    "title": "A made-up advisory",
                    "url": "https://github.com/advisories/GHSA-4xq2-8wxc-mrv9",
                    "severity": "moderate",
                }
            ],
        },
        "htmx.org": {
            "name": "htmx.org",
            "severity": "high",
            "via": [
                {
                    "source": 1100002,
                    "name": "htmx.org",
                    "title": "Another made-up advisory",
                    "url": "https://github.com/advisories/GHSA-9c4h-3f2w-pq7r",
                    "severity": "high",
                },
                "sass",
            ],
        },
    },
}


def test_npm_findings_not_accepted_are_reported_and_accepted_ones_are_not():
    from tools.audit import read_exceptions

    accepted, _ = read_exceptions(ENTRY.format(expires="2027-06-01"), TODAY)
    assert npm_findings(NPM_REPORT, accepted) == [
        "htmx.org: GHSA-9c4h-3f2w-pq7r (high) Another made-up advisory"
    ]
    assert len(npm_findings(NPM_REPORT, [])) == 2


def test_a_package_pip_audit_could_not_check_is_not_counted_as_clean():
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {"name": "qrcode", "version": "8.2", "skip_reason": "Dependency not found on PyPI"},
            {
                "name": "werkzeug",
                "version": "3.0.0",
                "vulns": [{"id": "GHSA-aaaa-bbbb-cccc", "fix_versions": ["3.0.6"]}],
            },
        ]
    }
    found, unchecked = python_findings(report)
    assert found == ["werkzeug 3.0.0: GHSA-aaaa-bbbb-cccc (fixed in 3.0.6)"]
    assert unchecked == ["qrcode 8.2: Dependency not found on PyPI"]
