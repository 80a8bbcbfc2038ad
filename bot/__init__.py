"""Process wiring: settings, CLI, channel adapters, web server, i18n."""
