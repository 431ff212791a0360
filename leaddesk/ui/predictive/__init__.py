"""The Predictive page's parts: the loader, the headline tiles, the charts and the
suggested rules."""
