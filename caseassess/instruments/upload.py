"""Instrument versions uploaded from the browser: a zip of the instrument directory, or its
YAML files. Every check runs before anything is stored, and any problem stores nothing:

* size: each file at most ``MAX_FILE_BYTES``, the whole upload at most ``MAX_TOTAL_BYTES``
  once unpacked, at most ``MAX_FILES`` files;
* zip-slip: a member whose path is absolute, climbs out with ``..``, or is a link is refused;
* zip bomb: the unpacked size is counted while reading (never trusted from the zip's
  header), and a member packed more than ``MAX_RATIO`` times is refused;
* encoding: every YAML file must be UTF-8; the message names the file and the byte;
* includes must name files inside the uploaded directory;
* then ``validate_instrument``'s own checks: every problem with its file, line and message.

A valid upload is stored as a new, unpublished version (a version id already loaded with
other content is refused: a version in use is never changed in place)."""

from __future__ import annotations

import io
import posixpath
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from caseassess.audit.services import audit_record
from caseassess.instruments.models import InstrumentVersion
from caseassess_core.instrument.loader import InstrumentError, Problem, load_instrument

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 10 * 1024 * 1024
MAX_FILES = 200
MAX_RATIO = 100
MAX_ALIASES = 100
TEXT_SUFFIXES = (".yaml", ".yml", ".md", ".txt", ".csv")


class UploadProblem(Exception):
    """Refused; ``problems`` lists each with its file, line (or None) and message."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadOutcome:
    version: InstrumentVersion
    created: bool


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _safe_name(name: str) -> str | None:
    """The member's path inside the directory, or None when it would land outside it."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "") or norm.startswith("../") or norm == ".." or "/../" in f"/{norm}/":
        return None
    return norm


def _unzip(data: bytes, zip_name: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadProblem([Problem(zip_name, None, "", "this is not a zip file; upload a .zip of the instrument directory or its .yaml files")]) from None
    out: dict[str, bytes] = {}
    total = 0
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_FILES:
        raise UploadProblem([Problem(zip_name, None, "", f"the zip holds {len(members)} files; an instrument has at most {MAX_FILES}")])
    for m in members:
        safe = _safe_name(m.filename)
        if safe is None:
            raise UploadProblem([Problem(zip_name, None, "", f"{m.filename!r} has a path outside the instrument directory; nothing was loaded")])
        if stat.S_ISLNK(m.external_attr >> 16):
            raise UploadProblem([Problem(zip_name, None, "", f"{m.filename!r} is a link; an instrument is plain files only")])
        if m.file_size > MAX_FILE_BYTES:
            raise UploadProblem([Problem(safe, None, "", f"the file is {_mb(m.file_size)} unpacked; the limit is {_mb(MAX_FILE_BYTES)} per file")])
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 64 * 1024:
            raise UploadProblem([Problem(safe, None, "", f"the file is packed {m.file_size // m.compress_size} times smaller than it unpacks (a zip bomb?); nothing was loaded")])
        with archive.open(m) as fh:
            body = fh.read(MAX_FILE_BYTES + 1)  # the header's size is not trusted
        if len(body) > MAX_FILE_BYTES:
            raise UploadProblem([Problem(safe, None, "", f"the file unpacks to more than {_mb(MAX_FILE_BYTES)}; the limit is {_mb(MAX_FILE_BYTES)} per file")])
        total += len(body)
        if total > MAX_TOTAL_BYTES:
            raise UploadProblem([Problem(zip_name, None, "", f"the zip unpacks to more than {_mb(MAX_TOTAL_BYTES)}; the limit for an instrument is {_mb(MAX_TOTAL_BYTES)}")])
        out[safe] = body
    return out


def _root(files: dict[str, bytes]) -> str:
    """The directory (inside the upload) holding instrument.yaml."""
    roots = sorted(posixpath.dirname(n) for n in files if posixpath.basename(n) == "instrument.yaml")
    if not roots:
        raise UploadProblem([Problem("instrument.yaml", None, "", "the upload has no instrument.yaml (the file that names the version and its includes)")])
    if len(roots) > 1:
        raise UploadProblem([Problem(roots[1] + "/instrument.yaml", None, "", "the upload holds more than one instrument.yaml; upload one version at a time")])
    return roots[0]


def _check_text(name: str, body: bytes) -> list[Problem]:
    problems: list[Problem] = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        return [Problem(name, line, "", f"the file is not UTF-8 (byte {exc.start + 1} is 0x{body[exc.start]:02x}); save it as UTF-8")]
    if name.endswith((".yaml", ".yml")):
        try:
            aliases = sum(1 for t in yaml.scan(text, Loader=yaml.SafeLoader) if isinstance(t, yaml.AliasToken))
        except yaml.YAMLError:
            return problems  # the loader reports the parse error with its line
        if aliases > MAX_ALIASES:
            problems.append(Problem(name, None, "", f"the file uses {aliases} YAML aliases; the limit is {MAX_ALIASES}"))
    return problems


def _check_includes(root_dir: Path, display: str) -> list[Problem]:
    try:
        data = yaml.safe_load((root_dir / "instrument.yaml").read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return []  # reported by the loader with its line
    problems = []
    includes = data.get("include") if isinstance(data, dict) else None
    for i, inc in enumerate(includes if isinstance(includes, list) else []):
        target = (root_dir / str(inc)).resolve()
        if not target.is_relative_to(root_dir.resolve()):
            problems.append(Problem(display, None, f"include[{i}]", f"{inc!r} is outside the instrument directory"))
    return problems


def instrument_upload(*, actor: Any, files: list[tuple[str, bytes]]) -> UploadOutcome:
    """Check and store an uploaded instrument version (unpublished). ``files`` is either one
    zip or the YAML (and Markdown) files of the directory, as (name, content) pairs."""
    if not files:
        raise UploadProblem([Problem("upload", None, "", "choose a zip of the instrument directory, or its .yaml files")])
    for name, body in files:
        if len(body) > MAX_FILE_BYTES and not name.lower().endswith(".zip"):
            raise UploadProblem([Problem(name, None, "", f"the file is {_mb(len(body))}; the limit is {_mb(MAX_FILE_BYTES)} per file")])
        if len(body) > MAX_TOTAL_BYTES:
            raise UploadProblem([Problem(name, None, "", f"the upload is {_mb(len(body))}; the limit is {_mb(MAX_TOTAL_BYTES)}")])
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        unpacked = _unzip(files[0][1], files[0][0])
    else:
        unpacked = {}
        for name, body in files:
            base = posixpath.basename(name.replace("\\", "/"))
            if _safe_name(base) is None or not base:
                raise UploadProblem([Problem(name, None, "", "the file name is not a plain file name")])
            unpacked[base] = body
    root = _root(unpacked)
    problems: list[Problem] = []
    for name, body in unpacked.items():
        if name.endswith(TEXT_SUFFIXES):
            problems.extend(_check_text(posixpath.relpath(name, root) if root else name, body))
    if problems:
        raise UploadProblem(problems)
    with tempfile.TemporaryDirectory(prefix="instrument-upload-") as tmp:
        base = Path(tmp)
        for name, body in unpacked.items():
            path = base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        root_dir = base / root if root else base
        problems = _check_includes(root_dir, "instrument.yaml")
        if problems:
            raise UploadProblem(problems)
        try:
            loaded = load_instrument(root_dir)
        except InstrumentError as exc:
            raise UploadProblem([_relative(p, root_dir) for p in exc.problems]) from None
        ins = loaded.instrument
        with transaction.atomic():
            existing = InstrumentVersion.objects.select_for_update().filter(instrument_id=ins.id).first()
            if existing is not None:
                if existing.checksum == loaded.checksum:
                    return UploadOutcome(existing, False)
                raise UploadProblem([Problem("instrument.yaml", None, "id", (
                    f"version {ins.id!r} is already loaded with different content; a version in use is never changed "
                    "in place: give the changed instrument a new version id"))])
            version = InstrumentVersion.objects.create(
                instrument_id=ins.id, title=ins.title, version=ins.version, effective_from=ins.effective_from,
                checksum=loaded.checksum, definition=ins.model_dump(mode="json"), published=False,
            )
            audit_record(actor=actor, action="instrument_upload", entity="instrument", entity_id=ins.id, new=loaded.checksum)
    return UploadOutcome(version, True)


def _relative(p: Problem, root_dir: Path) -> Problem:
    try:
        name = str(Path(p.file).relative_to(root_dir))
    except ValueError:
        name = Path(p.file).name
    return Problem(name, p.line, p.path, p.message)


def instrument_publish(*, actor: Any, version: InstrumentVersion) -> bool:
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.published:
            return False
        locked.published = True
        locked.save(update_fields=["published"])
        audit_record(actor=actor, action="instrument_publish", entity="instrument", entity_id=locked.instrument_id, field="published", old=False, new=True)
    version.published = True
    return True
