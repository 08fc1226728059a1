"""A staff member's own page (干部职工), and a department head's view of their team."""
