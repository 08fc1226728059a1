"""Staff training (人员技术培训): sessions, attendees from the roster, records per person."""
