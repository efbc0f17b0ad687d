"""Edits: one module per Medicare edit, each a pure function of (claim, codebook, facts) -> findings."""
