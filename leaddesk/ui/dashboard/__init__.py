"""The Dashboard page's parts: chart cards and the loader that reads their numbers off-thread."""
