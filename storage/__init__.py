"""Models, the async engine, queries, plan import/export and migrations."""
