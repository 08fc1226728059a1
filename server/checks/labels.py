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
