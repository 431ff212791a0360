"""LeadDesk: a lead-scoring desk for small sales teams."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leaddesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

APP_NAME = "LeadDesk"
APP_ID = "io.leaddesk.LeadDesk"
