"""The business of LeadDesk in plain Python: never imports Qt."""
