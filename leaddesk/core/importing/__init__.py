"""Spreadsheet import: readers (file -> rows), mapping (header -> field), normalize (values),
pipeline (dedupe, one transaction, undo); exported (files LeadDesk wrote: the lead of each row).

The GUI wizard and the CLI both go through ``pipeline``; nothing here imports Qt.
"""
