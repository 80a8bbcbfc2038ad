"""Channel adapters: transport only, no business logic."""
