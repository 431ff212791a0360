"""The scoring editor's parts: the edit session, rule tables, settings and live preview."""
