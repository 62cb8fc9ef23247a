"""Supply chain (docs/security.md): every dependency pinned, the pins clear of every advisory
in the vendored snapshot of the PyPA advisory database, and the checker itself able to flag a
known-vulnerable version. No network: these run against the snapshot only."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def audit() -> Any:
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module
    spec.loader.exec_module(module)
    return module


def test_every_requirement_and_npm_package_is_pinned_to_one_exact_version(audit: Any) -> None:
    pins, problems = audit.read_pins(audit.REQUIREMENTS)
    npm_pins, npm_problems = audit.read_npm_pins()
    assert problems == [] and npm_problems == []
    names = {p.name for p in pins}
    assert {"django", "psycopg", "gunicorn", "pip-audit"} <= names
    assert {p.name for p in npm_pins} == {"govuk-frontend", "htmx.org", "axe-core"}


def test_an_unpinned_or_loose_requirement_is_refused(audit: Any, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("Django>=5.2\nrequests\nnumpy==2.*\nsegno==1.6.6\n", encoding="utf-8")
    pins, problems = audit.read_pins([req])
    assert [p.name for p in pins] == ["segno"]
    assert len(problems) == 3 and all("not pinned to one exact version" in p for p in problems)
    assert audit.main(["-r", str(req), "--snapshot-only"]) == 1


def test_every_pinned_package_is_covered_by_the_advisory_snapshot(audit: Any) -> None:
    pins, _ = audit.read_pins(audit.REQUIREMENTS)
    _, uncovered = audit.check_snapshot(pins, audit.load_snapshot())
    assert uncovered == [], "a new dependency: refresh security/advisories-pypi.json (scripts/audit_deps.py --build-snapshot)"


def test_the_pinned_versions_are_clear_of_every_advisory_in_the_snapshot(audit: Any) -> None:
    pins, _ = audit.read_pins(audit.REQUIREMENTS)
    findings, _ = audit.check_snapshot(pins, audit.load_snapshot())
    assert findings == []


def test_the_checker_flags_django_4_2_0_with_real_advisories_and_not_the_fixed_release(audit: Any) -> None:
    snapshot = audit.load_snapshot()
    old = audit.Pin("django", "4.2.0", "test")
    findings, _ = audit.check_snapshot([old], snapshot)
    flagged = {f.advisory: f for f in findings}
    # CVE-2024-45230: urlize(); introduced 4.2, fixed in 4.2.16 (also 5.0.9, 5.1.1).
    urlize = flagged["PYSEC-0000-CVE-2024-45230"]
    assert "CVE-2024-45230" in urlize.aliases and "4.2.16" in urlize.fixed_in
    assert "PYSEC-0000-CVE-2024-42005" in flagged  # the JSONField SQL injection, fixed in 4.2.15
    fixed, _ = audit.check_snapshot([audit.Pin("django", "4.2.16", "test")], snapshot)
    assert "PYSEC-0000-CVE-2024-45230" not in {f.advisory for f in fixed}
    other_line, _ = audit.check_snapshot([audit.Pin("django", "5.0.9", "test")], snapshot)
    assert "PYSEC-0000-CVE-2024-45230" not in {f.advisory for f in other_line}


def test_the_command_fails_and_names_the_advisory_for_a_vulnerable_pin(
    audit: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("Django==4.2.0\nwaitress==2.1.0\n", encoding="utf-8")
    assert audit.main(["-r", str(req), "--snapshot-only"]) == 1
    out = capsys.readouterr().out
    assert "source: vendored snapshot" in out and "advisories modified up to 2024-10-08" in out
    assert "VULNERABLE django==4.2.0: PYSEC-0000-CVE-2024-45230 (CVE-2024-45230), fixed in 4.2.16, 5.0.9, 5.1.1" in out
    assert "VULNERABLE waitress==2.1.0: PYSEC-2022-169" in out


def test_osv_range_events_are_read_in_version_order(audit: Any) -> None:
    events = [{"introduced": "5.1"}, {"fixed": "5.1.1"}, {"introduced": "0"}, {"fixed": "4.2.16"}]
    specs = audit.events_to_specifiers(events)
    assert specs == ["<4.2.16", ">=5.1,<5.1.1"]
    assert audit.affected("4.2.15", specs) and audit.affected("5.1", specs) and audit.affected("1.0", specs)
    assert not audit.affected("4.2.16", specs) and not audit.affected("5.0.3", specs) and not audit.affected("5.1.1", specs)
    assert audit.events_to_specifiers([{"introduced": "2.1.0"}, {"last_affected": "2.1.1"}]) == [">=2.1.0,<=2.1.1"]


def test_the_snapshot_can_be_rebuilt_from_advisory_database_files(audit: Any, tmp_path: Path) -> None:
    folder = tmp_path / "vulns" / "django"
    folder.mkdir(parents=True)
    body = (
        "id: {id}\ndetails: A test advisory. More text.\naliases:\n- CVE-2099-0001\n"
        "modified: '2099-01-02T00:00:00Z'\npublished: '2099-01-01T00:00:00Z'\n"
        "affected:\n- package:\n    name: django\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n"
        "    events:\n    - introduced: '5.2'\n    - fixed: 5.2.20\n"
    )
    (folder / "PYSEC-0000-CVE-2099-0001.yaml").write_text(body.format(id="PYSEC-0000-CVE-2099-0001"), encoding="utf-8")
    (folder / "PYSEC-2099-1.yaml").write_text(body.format(id="PYSEC-2099-1"), encoding="utf-8")
    snap = audit.build_snapshot(tmp_path / "vulns", ["django", "segno"])
    assert snap["snapshot_date"] == "2099-01-02"
    assert snap["packages"]["segno"] == {"advisories": []}
    (adv,) = snap["packages"]["django"]["advisories"]  # the same CVE under two ids: kept once
    assert adv["id"] == "PYSEC-2099-1" and adv["affected"] == [">=5.2,<5.2.20"] and adv["summary"] == "A test advisory."
    findings, _ = audit.check_snapshot([audit.Pin("django", "5.2.19", "test")], snap)
    assert [f.advisory for f in findings] == ["PYSEC-2099-1"]
