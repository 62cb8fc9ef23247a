"""Draw a seeded case sample for an inspection and print the checks.

    manage.py draw_sample --inspection "IAOW Testshire" --seed 2013 --caseload extract.csv --size 60 --min-high-rosh 20 [--add]

Without --caseload the inspection's latest uploaded caseload is used. The draw is
recorded (as on the web page); --add also adds the sample to the inspection.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caseassess.accounts.models import User
from caseassess.inspections.models import Inspection
from caseassess.sampling import services
from caseassess.sampling.models import CaseloadUpload
from caseassess_core.sampling import SamplingDesign


class Command(BaseCommand):
    help = "Draw a seeded, stratified case sample for an inspection and print the quota and share checks"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--inspection", required=True, help="inspection name")
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--caseload", type=Path, help="caseload extract CSV; stored as a new upload")
        parser.add_argument("--size", type=int, default=60)
        parser.add_argument("--reference-date", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: first day of fieldwork)")
        parser.add_argument("--min-months", type=int, default=6)
        parser.add_argument("--max-months", type=int, default=9)
        parser.add_argument("--min-high-rosh", type=int, default=0)
        parser.add_argument("--min-unpaid-work-only", type=int, default=0)
        parser.add_argument("--child-protection-cap", type=int)
        parser.add_argument("--tolerance", type=float, default=5.0, help="percentage points for the female and BME shares")
        parser.add_argument("--offence", action="append", dest="offences", help="principal offence to include (repeat)")
        parser.add_argument("--user", help="username recorded in the audit trail")
        parser.add_argument("--add", action="store_true", help="add the sampled cases to the inspection")

    def handle(self, *args: Any, **o: Any) -> None:
        inspection = Inspection.objects.filter(name=o["inspection"]).first()
        if inspection is None:
            raise CommandError(f"No inspection named {o['inspection']!r}")
        actor = None
        if o["user"]:
            actor = User.objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"No user {o['user']!r}")
        if o["caseload"]:
            try:
                data = o["caseload"].read_bytes()
            except OSError as exc:
                raise CommandError(f"{o['caseload']}: {exc.strerror}") from None
            upload, errors = services.caseload_upload(inspection=inspection, actor=actor, data=data, filename=o["caseload"].name)
            if upload is None:
                raise CommandError(f"{o['caseload']}: nothing stored, {len(errors)} problem(s):\n" + "\n".join(f"  {e}" for e in errors))
            self.stdout.write(f"Caseload stored: {upload.row_count} cases")
        else:
            upload = CaseloadUpload.objects.filter(inspection=inspection).first()
            if upload is None:
                raise CommandError("This inspection has no caseload; give --caseload FILE.csv")
        try:
            design = SamplingDesign(
                size=o["size"], reference_date=o["reference_date"] or inspection.fieldwork_start, seed=o["seed"],
                min_months_supervised=o["min_months"], max_months_supervised=o["max_months"], min_high_rosh=o["min_high_rosh"],
                min_unpaid_work_only=o["min_unpaid_work_only"], child_protection_cap=o["child_protection_cap"],
                share_tolerance_points=o["tolerance"], principal_offences=frozenset(o["offences"]) if o["offences"] else None,
            )
        except ValueError as exc:
            raise CommandError(f"Sampling design: {exc}") from None
        draw = services.sample_draw(upload=upload, design=design, actor=actor)
        r = draw.result
        w = self.stdout.write
        w(f"Sample {draw.pk}: {r['sample_size']} of {r['requested_size']} cases from {r['eligible_count']} eligible (seed {draw.seed})")
        for q in r["quotas"]:
            w(f"  quota {q['name']}: asked {q['required']}, eligible {q['eligible']}, in sample {q['achieved']} -> {'met' if q['met'] else 'NOT MET'}")
        for s in r["shares"]:
            w(f"  share {s['name']}: caseload {100 * s['caseload_share']:.1f}%, sample {100 * s['sample_share']:.1f}%, "
              f"difference {s['difference_points']:.1f} points (tolerance {s['tolerance_points']:g}) -> {'pass' if s['passed'] else 'FAIL'}")
        w(f"  high/very high RoSH in sample: {r['high_rosh_count']}")
        for m in r["messages"]:
            w(f"  ! {m}")
        w("Cases: " + ", ".join(r["case_refs"]))
        if o["add"]:
            try:
                n = services.sample_add_to_inspection(draw=draw, actor=actor)
            except services.SamplingError as exc:
                raise CommandError(str(exc)) from None
            w(self.style.SUCCESS(f"{n} cases added to {inspection.name} (design weight in Case.details['{services.DESIGN_WEIGHT}'])"))
