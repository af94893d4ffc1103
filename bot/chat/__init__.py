"""The conversation layer: commands in French and English, dialogs, wording, i18n."""
