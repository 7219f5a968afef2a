"""ownergraph: ownership and control analytics for restricted-party screening."""

__version__ = "0.1.0"
