"""Spreadsheet import: readers (file -> rows), mapping (header -> field), normalize (values),
pipeline (dedupe, one transaction, undo).

The GUI wizard and the CLI both go through ``pipeline``; nothing here imports Qt.
"""
