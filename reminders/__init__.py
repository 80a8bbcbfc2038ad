"""Time-driven work: the period calendar, the planner, the outbox dispatcher, escalation."""
