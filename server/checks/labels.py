"""What a check's status, symptoms and direction are called, in pages and in exports alike:
translatable names (server/i18n) for the codes the records store."""

from __future__ import annotations

from server.i18n import N_

STATUS_LABELS = {
    "normal": N_("Normal"),
    "remeasure": N_("Re-measure"),
    "cleared": N_("Normal on re-measure"),
    "held": N_("Held"),
}
SYMPTOM_LABELS = {
    "cough": N_("Cough"),
    "fatigue": N_("Fatigue"),
    "sore_throat": N_("Sore throat"),
    "short_breath": N_("Shortness of breath"),
    "other": N_("Other"),
}
DIRECTION_LABELS = {"arrival": N_("Arrival"), "leaving": N_("Leaving")}

# The fields a person reads in a check's history and in the conflict queue, by what the
# record calls them; fields left out (ids, versions, merge bookkeeping) are not shown there.
FIELD_LABELS = {
    "name": N_("Name"),
    "phone": N_("Mobile"),
    "id_number": N_("ID-card number"),
    "purpose": N_("Purpose"),
    "window_code": N_("Window"),
    "person_name": N_("Person"),
    "direction": N_("Direction"),
    "temperature": N_("Temperature"),
    "remeasure_temperature": N_("Re-measured"),
    "symptoms": N_("Symptoms"),
    "symptoms_other": N_("Other symptoms"),
    "travel_or_contact": N_("Travel or contact in 14 days"),
    "status": N_("Status"),
    "time_in": N_("Time in"),
    "time_out": N_("Time out"),
    "taken_at": N_("Time"),
}
