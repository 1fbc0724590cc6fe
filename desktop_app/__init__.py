"""SO Desk: reception desk for a hospital's second-opinion clinic."""

__version__ = "0.1.0"
