"""What an incident step's fields are called: translatable names (server/i18n) for the
field codes the steps store."""

from server.i18n import N_

# In pages and in refusals alike.
FIELD_LABELS = {
    "where": N_("Where"),
    "reported_to": N_("Told whom"),
    "called": N_("Who was called"),
    "number": N_("Number called"),
    "reference": N_("Reference"),
    "by_whom": N_("By whom"),
    "to_where": N_("To where"),
    "reason": N_("Reason"),
    "text": N_("Note"),
    "summary": N_("Readings"),
    "readings": N_("Readings"),
    "contact": N_("Close contact"),
    "at": N_("Time"),
}
