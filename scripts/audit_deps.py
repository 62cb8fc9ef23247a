"""Supply-chain check: every dependency pinned, and no pinned version with a known advisory.

    .venv/bin/python scripts/audit_deps.py                 # the check (CI and before a release)
    .venv/bin/python scripts/audit_deps.py --environment   # also every package installed here
    .venv/bin/python scripts/audit_deps.py --build-snapshot PATH/advisory-database/vulns

1. Every line of requirements.txt and requirements-dev.txt must pin one exact version
   (``name==X.Y.Z``); package.json must name exact versions and package-lock.json must
   agree with it.
2. ``pip-audit --strict`` is run on both requirements files (no resolution: the pins are
   the list), with a short timeout. Where its vulnerability service answers, its verdict
   is the result.
3. Where it cannot be reached (no route to PyPI's JSON API or OSV: this workplace and its
   CI), every pin is checked against the vendored snapshot of the PyPA advisory database,
   ``security/advisories-pypi.json``. A pinned package the snapshot does not cover is an
   error too: a new dependency needs the snapshot refreshed (``--build-snapshot``).

Prints every finding (package, pinned version, advisory, fixed in), says which source was
used and, for the snapshot, its date. Exit status: 0 clean, 1 a finding or an unpinned
requirement, 2 a pinned package that no source could check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
SNAPSHOT = ROOT / "security" / "advisories-pypi.json"
PIP_AUDIT_TIMEOUT = 90  # seconds; it answers in a few seconds when its service is reachable


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503) name
    version: str
    source: str  # file:line


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]
    summary: str


# --- pins ----------------------------------------------------------------------------


def read_pins(files: Iterable[Path]) -> tuple[list[Pin], list[str]]:
    """The exact pins of the requirements files, and a problem for each line that is not one."""
    pins: dict[str, Pin] = {}
    problems: list[str] = []
    for path in files:
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path.name}:{n}"
            if line.startswith(("-r ", "--requirement ", "-c ", "--constraint ")):
                continue  # the included file is checked in its own right
            if line.startswith("-"):
                problems.append(f"{where}: option line {line!r} is not allowed (pins only)")
                continue
            try:
                req = Requirement(line)
            except InvalidRequirement as exc:
                problems.append(f"{where}: cannot read {line!r} ({exc})")
                continue
            specs = list(req.specifier)
            if req.url or len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
                problems.append(f"{where}: {line!r} is not pinned to one exact version (name==X.Y.Z)")
                continue
            pin = Pin(canonicalize_name(req.name), specs[0].version, where)
            other = pins.get(pin.name)
            if other and other.version != pin.version:
                problems.append(f"{where}: {req.name} {pin.version} here, {other.version} at {other.source}")
            pins[pin.name] = pin
    return sorted(pins.values(), key=lambda p: p.name), problems


def read_npm_pins(root: Path = ROOT) -> tuple[list[Pin], list[str]]:
    """The exact versions of package.json, checked against package-lock.json."""
    pkg_path, lock_path = root / "package.json", root / "package-lock.json"
    if not pkg_path.exists():
        return [], []
    declared: dict[str, str] = {}
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    for section in ("dependencies", "devDependencies"):
        declared.update(pkg.get(section, {}))
    locked = {}
    if lock_path.exists():
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
        locked = {k.removeprefix("node_modules/"): v.get("version") for k, v in lock.get("packages", {}).items() if k}
    pins, problems = [], []
    for name, spec in sorted(declared.items()):
        if not re.fullmatch(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?", spec):
            problems.append(f"package.json: {name} {spec!r} is not one exact version")
            continue
        if locked and locked.get(name) != spec:
            problems.append(f"package-lock.json: {name} is {locked.get(name)!r}, package.json says {spec}")
        pins.append(Pin(name, spec, "package.json"))
    return pins, problems


# --- advisory ranges ---------------------------------------------------------------------


def _v(text: str) -> Version:
    return Version("0") if text in ("0", "") else Version(text)


_EVENTS = ("introduced", "fixed", "last_affected")


def events_to_specifiers(events: Sequence[dict[str, str]]) -> list[str]:
    """OSV ``ECOSYSTEM`` range events (introduced / fixed / last_affected), evaluated in
    version order, as PEP 440 specifier sets: ``[">=4.2,<4.2.16", ">=5.0,<5.0.9"]``."""
    ordered = sorted(
        ((kind, value) for event in events for kind, value in event.items() if kind in _EVENTS),
        key=lambda kv: (_v(kv[1]), kv[0] != "introduced"),
    )
    out: list[str] = []
    start: str | None = None
    for kind, value in ordered:
        if kind == "introduced":
            if start is None:
                start = value
        elif start is not None:
            lower = [] if start == "0" else [f">={start}"]
            upper = f"<{value}" if kind == "fixed" else f"<={value}"
            out.append(",".join([*lower, upper]))
            start = None
    if start is not None:
        out.append(f">={start}" if start != "0" else ">=0")
    return out


def affected(version: str, specifiers: Iterable[str]) -> bool:
    try:
        v = Version(version)
    except InvalidVersion:
        return False
    return any(v in SpecifierSet(spec, prereleases=True) for spec in specifiers)


def load_snapshot(path: Path = SNAPSHOT) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _finding(pin: Pin, adv: dict[str, Any]) -> Finding:
    aliases, fixed = tuple(adv.get("aliases", ())), tuple(adv.get("fixed_in", ()))
    return Finding(pin.name, pin.version, adv["id"], aliases, fixed, adv.get("summary", ""))


def check_snapshot(pins: Iterable[Pin], snapshot: dict[str, Any]) -> tuple[list[Finding], list[Pin]]:
    """Findings for the pins, and the pins the snapshot does not cover."""
    packages = snapshot["packages"]
    findings: list[Finding] = []
    uncovered: list[Pin] = []
    for pin in pins:
        if pin.name not in packages:
            uncovered.append(pin)
            continue
        for adv in packages[pin.name]["advisories"]:
            if affected(pin.version, adv["affected"]):
                findings.append(_finding(pin, adv))
    return findings, uncovered


# --- pip-audit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PipAuditResult:
    reached: bool
    clean: bool
    output: str


def run_pip_audit(files: Sequence[Path], timeout: float = PIP_AUDIT_TIMEOUT) -> PipAuditResult:
    exe = Path(sys.executable).with_name("pip-audit")
    cmd = [str(exe) if exe.exists() else "pip-audit", "--strict", "--no-deps", "--disable-pip"]
    cmd += ["--progress-spinner", "off"]
    for f in files:
        cmd += ["-r", str(f)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except FileNotFoundError:
        return PipAuditResult(False, False, "pip-audit is not installed")
    except subprocess.TimeoutExpired:
        return PipAuditResult(False, False, f"pip-audit did not answer within {timeout:g} s")
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode == 0:
        return PipAuditResult(True, True, output)
    if re.search(r"Found \d+ known vulnerabilit", output):
        return PipAuditResult(True, False, output)
    # "not found on PyPI and could not be audited", a connection error, a resolution failure:
    # the service gave no verdict.
    return PipAuditResult(False, False, output)


# --- building the snapshot ------------------------------------------------------------------


def _summary(details: str) -> str:
    text = " ".join(details.split())
    m = re.match(r"(.+?\.)(\s|$)", text)
    return (m.group(1) if m else text)[:300]


def advisory_from_osv(doc: dict[str, Any], package: str) -> dict[str, Any] | None:
    """The facts of one OSV/PyPA advisory for ``package``: id, aliases, affected ranges,
    fixed versions, one-line summary, dates. Both the current (``affected``) and the early
    (``affects``) layouts of the PyPA files are read."""
    specs: list[str] = []
    fixed: list[str] = []
    for aff in doc.get("affected") or []:
        if canonicalize_name(aff.get("package", {}).get("name", "")) != package:
            continue
        for rng in aff.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM":
                events = [{k: str(v)} for e in rng.get("events", []) for k, v in e.items()]
                specs += events_to_specifiers(events)
                fixed += [str(e["fixed"]) for e in rng.get("events", []) if "fixed" in e]
    old = doc.get("affects")
    if old and canonicalize_name((doc.get("package") or {}).get("name", package)) == package:
        for rng in old.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM":
                events = [{"introduced": str(rng.get("introduced", "0"))}]
                if "fixed" in rng:
                    events.append({"fixed": str(rng["fixed"])})
                    fixed.append(str(rng["fixed"]))
                specs += events_to_specifiers(events)
    if not specs or doc.get("withdrawn"):
        return None
    return {
        "id": doc["id"],
        "aliases": list(doc.get("aliases") or []),
        "summary": doc.get("summary") or _summary(doc.get("details", "")),
        "affected": specs,
        "fixed_in": sorted(set(fixed), key=_v),
        "published": str(doc.get("published", ""))[:10],
        "modified": str(doc.get("modified", ""))[:10],
    }


def build_snapshot(vulns_dir: Path, names: Iterable[str]) -> dict[str, Any]:
    """A snapshot for ``names`` from a checkout of the PyPA advisory database's vulns/ folder.
    Duplicates (the same CVE under two ids) are kept once, preferring a PYSEC-YYYY id."""
    import yaml

    packages: dict[str, Any] = {}
    latest = ""
    for name in sorted(set(names)):
        by_key: dict[str, dict[str, Any]] = {}
        folder = vulns_dir / name
        for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            adv = advisory_from_osv(yaml.safe_load(f.read_text(encoding="utf-8")), name)
            if adv is None:
                continue
            key = next((a for a in adv["aliases"] if a.startswith("CVE-")), adv["id"])
            keep = by_key.get(key)
            if keep is None or (keep["id"].startswith("PYSEC-0000") and not adv["id"].startswith("PYSEC-0000")):
                by_key[key] = adv
            latest = max(latest, adv["modified"])
        packages[name] = {"advisories": sorted(by_key.values(), key=lambda a: (a["published"], a["id"]))}
    return {
        "source": f"PyPA advisory database (pypa/advisory-database), {vulns_dir}",
        "snapshot_date": latest,
        "built": dt.date.today().isoformat(),
        "packages": packages,
    }


# --- main ----------------------------------------------------------------------------------


def _print_findings(findings: Sequence[Finding]) -> None:
    for f in findings:
        alias = f" ({', '.join(f.aliases)})" if f.aliases else ""
        fixed = ", ".join(f.fixed_in) or "no fixed version"
        print(f"  VULNERABLE {f.package}=={f.version}: {f.advisory}{alias}, fixed in {fixed} -- {f.summary}")


def _installed_pins() -> list[Pin]:
    from importlib import metadata

    pins = {}
    for d in metadata.distributions():
        name = canonicalize_name(d.metadata["Name"])
        pins[name] = Pin(name, d.version, "installed")
    return sorted(pins.values(), key=lambda p: p.name)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-r", "--requirement", action="append", type=Path, help="requirements file (default: both)")
    ap.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    ap.add_argument("--snapshot-only", action="store_true", help="skip pip-audit (tests, or a known-closed network)")
    ap.add_argument("--environment", action="store_true", help="also check the packages installed here (snapshot)")
    ap.add_argument("--timeout", type=float, default=PIP_AUDIT_TIMEOUT, help="seconds to wait for pip-audit")
    ap.add_argument(
        "--build-snapshot", type=Path, metavar="VULNS_DIR", help="rebuild the snapshot from advisory-database/vulns"
    )
    args = ap.parse_args(argv)
    files = args.requirement or list(REQUIREMENTS)

    pins, problems = read_pins(files)
    npm_pins, npm_problems = read_npm_pins()
    if args.build_snapshot:
        old = load_snapshot(args.snapshot) if args.snapshot.exists() else {"packages": {}}
        names = {p.name for p in pins} | set(old["packages"])
        snap = build_snapshot(args.build_snapshot, names)
        snap["coverage"] = old.get("coverage", {})  # notes kept: review them
        args.snapshot.parent.mkdir(parents=True, exist_ok=True)
        args.snapshot.write_text(json.dumps(snap, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        n = sum(len(p["advisories"]) for p in snap["packages"].values())
        print(f"wrote {args.snapshot}: {len(snap['packages'])} packages, {n} advisories, up to {snap['snapshot_date']}")
        return 0

    names = ", ".join(f.name for f in files)
    print(f"{len(pins)} Python requirements in {names}; {len(npm_pins)} npm packages in package.json")
    for p in problems + npm_problems:
        print(f"  NOT PINNED {p}")
    status = 1 if problems or npm_problems else 0

    findings: list[Finding] = []
    if not args.snapshot_only:
        result = run_pip_audit(files, args.timeout)
        if result.reached:
            print("source: pip-audit --strict (PyPI vulnerability service)")
            print(result.output)
            if not result.clean:
                status = 1
            else:
                print("pip-audit: no known vulnerabilities in the pinned requirements")
            snap = load_snapshot(args.snapshot) if args.snapshot.exists() else {}
            return max(status, _check_npm(npm_pins, snap))
        last = result.output.splitlines()[-1] if result.output else ""
        print(f"pip-audit could not reach its vulnerability service ({last[:160]}); using the vendored snapshot")

    snapshot = load_snapshot(args.snapshot)
    shown = args.snapshot.relative_to(ROOT) if args.snapshot.is_relative_to(ROOT) else args.snapshot
    print(
        f"source: vendored snapshot {shown} -- {snapshot['source']}; "
        f"advisories modified up to {snapshot['snapshot_date']}, built {snapshot['built']}"
    )
    checked = list(pins)
    if args.environment:
        names = {p.name for p in checked}
        checked += [p for p in _installed_pins() if p.name not in names and p.name in snapshot["packages"]]
    findings, uncovered = check_snapshot(checked, snapshot)
    _print_findings(findings)
    for pin in uncovered:
        print(f"  NOT COVERED {pin.name}=={pin.version} ({pin.source}): not in the snapshot (--build-snapshot)")
    if findings:
        status = 1
    elif uncovered:
        status = max(status, 2)
    n_adv = sum(len(snapshot["packages"][p.name]["advisories"]) for p in checked if p.name in snapshot["packages"])
    print(
        f"{len(checked) - len(uncovered)} pinned packages checked against {n_adv} advisories: "
        + (f"{len(findings)} finding(s)" if findings else "no known vulnerabilities")
    )
    return max(status, _check_npm(npm_pins, snapshot, try_npm_audit=not args.snapshot_only))


def _npm_audit(timeout: float = 60) -> tuple[bool, int, str]:
    """``npm audit`` on package-lock.json: (answered, vulnerabilities, message)."""
    try:
        proc = subprocess.run(
            ["npm", "audit", "--json", "--package-lock-only"], capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
        report = json.loads(proc.stdout or "{}")
    except (FileNotFoundError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        return False, 0, f"npm audit did not answer ({type(exc).__name__})"
    total = report.get("metadata", {}).get("vulnerabilities", {}).get("total")
    if total is None:
        said = report.get("message") or report.get("error", {}).get("summary") or "no report"
        return False, 0, f"npm audit: {str(said)[:160]}"
    return True, int(total), proc.stdout


def _check_npm(pins: Sequence[Pin], snapshot: dict[str, Any], *, try_npm_audit: bool = True) -> int:
    """npm packages: ``npm audit`` where its service answers, else the snapshot's ``npm``
    section where it has one."""
    if not pins:
        return 0
    if try_npm_audit:
        answered, total, message = _npm_audit()
        if answered:
            print(f"npm audit: {total} known vulnerabilities in package-lock.json")
            if total:
                print(message)
            return 1 if total else 0
        print(message)
    npm = snapshot.get("npm", {}).get("packages", {})
    findings = [
        _finding(p, adv)
        for p in pins
        for adv in npm.get(p.name, {}).get("advisories", [])
        if affected(p.version, adv["affected"])
    ]
    _print_findings(findings)
    unchecked = [p for p in pins if p.name not in npm]
    if unchecked:
        print(
            "npm: " + ", ".join(f"{p.name}@{p.version}" for p in unchecked) + " pinned exactly but not audited "
            "(no answer from npm audit, and the snapshot holds no npm advisories)"
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
