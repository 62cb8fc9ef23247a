"""Each distinct area name on an inspection becomes an Area record with the tiering
settings stored under that name; its leads are the lead inspectors of its inspections.
Each programme's period spans its inspections' fieldwork and allows the instrument
versions they use."""

from django.db import migrations


def forwards(apps, schema_editor):
    Area = apps.get_model("inspections", "Area")
    AreaSettings = apps.get_model("inspections", "AreaSettings")
    Inspection = apps.get_model("inspections", "Inspection")
    Membership = apps.get_model("inspections", "Membership")
    Programme = apps.get_model("inspections", "Programme")
    stored = {s.area: s for s in AreaSettings.objects.all()}
    for insp in Inspection.objects.order_by("pk"):
        name = (insp.area or "").strip() or "Area not recorded"
        area = Area.objects.filter(name=name).first()
        if area is None:
            s = stored.get(insp.area)
            area = Area.objects.create(
                name=name,
                tiering_local_determination=dict(s.tiering_local_determination) if s else {},
                updated_by_id=s.updated_by_id if s else None,
            )
        insp.area_record_id = area.pk
        insp.save(update_fields=["area_record"])
        for m in Membership.objects.filter(inspection_id=insp.pk, role="lead_inspector"):
            area.leads.add(m.user_id)
    for prog in Programme.objects.all():
        inspections = list(Inspection.objects.filter(programme_id=prog.pk))
        if inspections:
            prog.period_start = min(i.fieldwork_start for i in inspections)
            prog.period_end = max(i.fieldwork_end for i in inspections)
            prog.save(update_fields=["period_start", "period_end"])
            prog.instruments.add(*{i.instrument_id for i in inspections})


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_d_areas_programmes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
