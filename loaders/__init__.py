"""Loaders: one module per source format, each turning files into PartyRecord / StakeRecord / Reject."""
