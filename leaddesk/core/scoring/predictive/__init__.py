"""Predictive scoring: a model learned from the team's own won and lost leads.

``training`` fits and measures it, ``models`` holds it as data and predicts with numpy,
``predictions`` writes each lead's probability and explains it, ``suggest`` turns what it
learned into rules for the transparent rule model.
"""
