"""The conversation: commands and dialogs, channel-agnostic, one module per feature."""
